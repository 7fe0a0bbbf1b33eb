// Fused activations of ncnn (activation_type / activation_params), as the CPU path computes them.
// Needs a specialization constant ACT and push constants p.a0, p.a1 (the params, with their defaults
// already filled in by the host).
float activate(float x) {
    if (ACT == 1) return max(x, 0.0);
    if (ACT == 2) return x > 0.0 ? x : x * p.a0;
    if (ACT == 3) return min(max(x, p.a0), p.a1);
    if (ACT == 4) return 1.0 / (1.0 + exp(-x));
    if (ACT == 5) {
        // x * tanh(softplus(x)); both written to stay finite for large |x|
        const float sp = x > 20.0 ? x : log(1.0 + exp(x));
        const float e = exp(-2.0 * sp);
        return x * (1.0 - e) / (1.0 + e);
    }
    if (ACT == 6) return x * min(max(p.a0 * x + p.a1, 0.0), 1.0);
    return x;
}
