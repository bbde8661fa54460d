"""Writes a large .nn stress input to stdout: stress.py KIND N

  chain   fn f0..f(N-1), each calling the previous one; the model calls the last
  cycle   fn f0..f(N-1), each calling the next one, the last calling f0
  lets    a chain of N let bindings, each using the previous one
  double  fn f0..f(N-1), each calling the previous one twice with the same argument
  fork    fn f0..f(N-1), each calling the previous one on two different arguments
"""
import sys

kind, n = sys.argv[1], int(sys.argv[2])
out = []
if kind in ("chain", "double", "fork"):
    out.append("fn f0(x) {\n  return x * 2\n}")
    for i in range(1, n):
        body = {"chain": f"f{i-1}(x)", "double": f"f{i-1}(x) + f{i-1}(x)",
                "fork": f"f{i-1}(x) + f{i-1}(x * 3)"}[kind]
        out.append(f"fn f{i}(x) {{\n  return {body}\n}}")
    out.append(f"model M {{\n  input x: f32[B, 4]\n  infer y = f{n-1}(x)\n}}")
elif kind == "cycle":
    for i in range(n):
        out.append(f"fn f{i}(x) {{\n  return f{(i + 1) % n}(x)\n}}")
    out.append("model M {\n  input x: f32[B, 4]\n  infer y = f0(x)\n}")
elif kind == "lets":
    body = ["  input x: f32[B, 4]", "  a0 = x"]
    body += [f"  a{i} = a{i-1} + 1" for i in range(1, n)]
    body.append(f"  infer y = a{n-1}")
    out.append("model M {\n" + "\n".join(body) + "\n}")
else:
    sys.exit("unknown kind " + kind)
print("\n".join(out))
