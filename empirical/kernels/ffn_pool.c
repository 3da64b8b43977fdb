/* Fused token-wise part of the memorization transformer (arXiv 2409.17677, eq. 165), for M members.

   For every member and token: h0 = E_in x, then K residual ReLU blocks
   h <- h + W2 relu(W1 h + b1) + b2.  What leaves the kernel is per sequence only: the mean of
   h_K over the n tokens (all that uniform attention needs) and h_K of the last token (the
   query of next-token prediction).  The backward pass takes the gradients of those two and
   returns the gradients of E_in and of every block's weights.

   Why a kernel: at m = 2, q = 8 every matmul has an inner dimension of 2 or 8, so torch's
   batched matmuls stream each activation through memory and reach a few percent of the
   machine's peak.  Here 16 tokens travel together in one vector register per feature, every
   intermediate stays in L1, and the backward pass recomputes the forward instead of storing it.
   Four such vectors per feature travel together (NG), which hides the FMA latency: 1.3x faster
   than one (measured by CPU time on the development machine).

   Determinism: work is split into tasks of whole sequences that depend only on (N, n), each
   task writes its own partial gradient, and partials are summed in task order, so the result
   does not depend on the number of threads.

   Parameter layout (one row of P floats per member, see models.Layout): E_in (m, d) at off_ein;
   block b of the first stack at off_ff1 + b * (2qm + q + m): W1 (q, m), b1 (q), W2 (m, q), b2 (m). */

#define _ISOC11_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#define L 16   /* lanes per vector: one AVX-512 register */
#ifndef NG
#define NG 4   /* vectors per feature in a group: independent chains that hide FMA latency */
#endif
#define LW (NG * L)   /* tokens per group */

/* GCC/Clang vector extensions, so the compiler cannot fall back to scalar code.  A group's
   feature f occupies the NG vectors V[f * NG + g]; token t of the group is lane t % L of vector
   t / L. */
typedef float v16 __attribute__((vector_size(4 * L)));
typedef int32_t i16 __attribute__((vector_size(4 * L)));

typedef struct {
    int64_t N, n, d, m, q, K, P, off_ein, off_ff1, chunk;
} spec_t;

static inline int64_t block_size(const spec_t *s) { return 2 * s->q * s->m + s->q + s->m; }

static inline v16 relu(v16 z) { return (v16)((z > 0.0f) & (i16)z); }
static inline v16 where_positive(v16 a, v16 g) { return (v16)((a > 0.0f) & (i16)g); }
static inline float lane(const v16 *V, int64_t f, int t) { return V[f * NG + t / L][t % L]; }

/* Gather up to LW tokens (feature-major); tokens past cnt are zero. */
static void load_tokens(const float *X, int64_t tok0, int cnt, int64_t d, v16 *xs) {
    for (int64_t k = 0; k < d; k++)
        for (int g = 0; g < NG; g++) {
            v16 v = {0};
            for (int l = 0; l < L && g * L + l < cnt; l++) v[l] = X[(tok0 + g * L + l) * d + k];
            xs[k * NG + g] = v;
        }
}

/* h_0 = E_in x for one group. */
static void embed_group(const spec_t *s, const float *w, const v16 *xs, v16 *H) {
    const int64_t d = s->d, m = s->m;
    const float *E = w + s->off_ein;
    for (int64_t i = 0; i < m; i++) {
        v16 acc[NG] = {{0}};
        for (int64_t k = 0; k < d; k++)
            for (int g = 0; g < NG; g++) acc[g] += E[i * d + k] * xs[k * NG + g];
        for (int g = 0; g < NG; g++) H[i * NG + g] = acc[g];
    }
}

/* The K blocks from h_0: H holds h_0..h_K (m features each), A the ReLU outputs (q each). */
static void blocks_forward(const spec_t *s, const float *w, v16 *H, v16 *A) {
    const int64_t m = s->m, q = s->q, K = s->K, bs = block_size(s);
    for (int64_t b = 0; b < K; b++) {
        const float *W1 = w + s->off_ff1 + b * bs, *b1 = W1 + q * m, *W2 = b1 + q, *b2 = W2 + m * q;
        const v16 *hin = H + b * m * NG;
        v16 *hout = H + (b + 1) * m * NG, *a = A + b * q * NG;
        for (int64_t j = 0; j < q; j++) {
            v16 z[NG];
            for (int g = 0; g < NG; g++) z[g] = b1[j] - (v16){0};
            for (int64_t i = 0; i < m; i++)
                for (int g = 0; g < NG; g++) z[g] += W1[j * m + i] * hin[i * NG + g];
            for (int g = 0; g < NG; g++) a[j * NG + g] = relu(z[g]);
        }
        for (int64_t i = 0; i < m; i++) {
            v16 o[NG];
            for (int g = 0; g < NG; g++) o[g] = hin[i * NG + g] + b2[i];
            for (int64_t j = 0; j < q; j++)
                for (int g = 0; g < NG; g++) o[g] += W2[i * q + j] * a[j * NG + g];
            for (int g = 0; g < NG; g++) hout[i * NG + g] = o[g];
        }
    }
}

static void forward_group(const spec_t *s, const float *w, const v16 *xs, v16 *H, v16 *A) {
    embed_group(s, w, xs, H);
    blocks_forward(s, w, H, A);
}

/* Backward through the K blocks for one group, from dh = dLoss/dh_K (m features, zero on unused
   tokens); dh ends as dLoss/dh_0.  Adds each block parameter's gradient, lane by lane, into GB
   (one vector per parameter; the NG vectors of a group are summed before they are added). */
static void blocks_backward(const spec_t *s, const float *w, const v16 *H, const v16 *A, v16 *dh, v16 *dz,
                            v16 *GB) {
    const int64_t m = s->m, q = s->q, K = s->K, bs = block_size(s);
    for (int64_t b = K - 1; b >= 0; b--) {
        const float *W1 = w + s->off_ff1 + b * bs, *W2 = W1 + q * m + q;
        v16 *gW1 = GB + b * bs, *gb1 = gW1 + q * m, *gW2 = gb1 + q, *gb2 = gW2 + m * q;
        const v16 *hin = H + b * m * NG, *a = A + b * q * NG;
        for (int64_t i = 0; i < m; i++) {
            v16 acc = dh[i * NG];
            for (int g = 1; g < NG; g++) acc += dh[i * NG + g];
            gb2[i] += acc;
        }
        for (int64_t j = 0; j < q; j++) {
            v16 da[NG] = {{0}};
            for (int64_t i = 0; i < m; i++) {
                v16 acc = dh[i * NG] * a[j * NG];
                for (int g = 1; g < NG; g++) acc += dh[i * NG + g] * a[j * NG + g];
                gW2[i * q + j] += acc;
                for (int g = 0; g < NG; g++) da[g] += W2[i * q + j] * dh[i * NG + g];
            }
            v16 acc = {0};
            for (int g = 0; g < NG; g++) {
                dz[j * NG + g] = where_positive(a[j * NG + g], da[g]);
                acc += dz[j * NG + g];
            }
            gb1[j] += acc;
        }
        for (int64_t j = 0; j < q; j++)
            for (int64_t i = 0; i < m; i++) {
                v16 acc = dz[j * NG] * hin[i * NG];
                for (int g = 1; g < NG; g++) acc += dz[j * NG + g] * hin[i * NG + g];
                gW1[j * m + i] += acc;
                for (int g = 0; g < NG; g++) dh[i * NG + g] += W1[j * m + i] * dz[j * NG + g];  /* residual */
            }
    }
}

/* The same plus E_in: G holds the E_in part, then the K blocks. */
static void backward_group(const spec_t *s, const float *w, const v16 *xs, const v16 *H, const v16 *A,
                           v16 *dh, v16 *dz, v16 *G) {
    const int64_t d = s->d, m = s->m;
    blocks_backward(s, w, H, A, dh, dz, G + m * d);
    for (int64_t i = 0; i < m; i++)
        for (int64_t k = 0; k < d; k++) {
            v16 acc = dh[i * NG] * xs[k * NG];
            for (int g = 1; g < NG; g++) acc += dh[i * NG + g] * xs[k * NG + g];
            G[i * d + k] += acc;
        }
}

static int64_t n_chunks(const spec_t *s) { return (s->N + s->chunk - 1) / s->chunk; }

/* Scratch vectors per thread: tokens, h_0..h_K, ReLU outputs, dh, dz (NG vectors per feature). */
static size_t scratch_vectors(const spec_t *s) {
    return (size_t)NG * (size_t)(s->d + (s->K + 1) * s->m + s->K * s->q + s->m + s->q);
}

static v16 *alloc_vectors(size_t count) { return aligned_alloc(64, (count ? count : 1) * sizeof(v16)); }

/* Pass 1: mean (M, m, N) of h_K over each sequence and last (M, m, N) = h_K of its last token. */
int ffn_pool_forward(const float *flat, const float *X, float *mean, float *last, int64_t M, int64_t N,
                     int64_t n, int64_t d, int64_t m, int64_t q, int64_t K, int64_t P, int64_t off_ein,
                     int64_t off_ff1, int64_t chunk, int threads) {
    spec_t s = {N, n, d, m, q, K, P, off_ein, off_ff1, chunk};
    const int64_t C = n_chunks(&s), tasks = M * C;
    int failed = 0;
#pragma omp parallel num_threads(threads)
    {
        v16 *buf = alloc_vectors(scratch_vectors(&s));
        if (!buf) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; t++) {
            if (!buf) continue;
            const int64_t mem = t / C, c = t % C;
            const float *w = flat + mem * P;
            v16 *xs = buf, *H = xs + d * NG, *A = H + (K + 1) * m * NG;
            const int64_t s0 = c * chunk, s1 = s0 + chunk < N ? s0 + chunk : N;
            for (int64_t seq = s0; seq < s1; seq++)
                for (int64_t i = 0; i < m; i++) mean[(mem * m + i) * N + seq] = 0.0f;
            for (int64_t tok = s0 * n; tok < s1 * n; tok += LW) {
                const int cnt = (int)(s1 * n - tok < LW ? s1 * n - tok : LW);
                load_tokens(X, tok, cnt, d, xs);
                forward_group(&s, w, xs, H, A);
                const v16 *hK = H + K * m * NG;
                int64_t seq = tok / n, pos = tok % n;   /* one division per group, not per lane */
                for (int l = 0; l < cnt; l++) {
                    for (int64_t i = 0; i < m; i++) {
                        mean[(mem * m + i) * N + seq] += lane(hK, i, l);
                        if (pos == n - 1) last[(mem * m + i) * N + seq] = lane(hK, i, l);
                    }
                    if (++pos == n) { pos = 0; seq++; }
                }
            }
            for (int64_t seq = s0; seq < s1; seq++)
                for (int64_t i = 0; i < m; i++) mean[(mem * m + i) * N + seq] /= (float)n;
        }
        free(buf);
    }
    return failed ? -1 : 0;
}

/* Pass 2: given gmean, glast (M, m, N), write d/dE_in and d/d(first stack) into grad (M, P), whose
   other entries are left untouched. */
int ffn_pool_backward(const float *flat, const float *X, const float *gmean, const float *glast, float *grad,
                      int64_t M, int64_t N, int64_t n, int64_t d, int64_t m, int64_t q, int64_t K, int64_t P,
                      int64_t off_ein, int64_t off_ff1, int64_t chunk, int threads) {
    spec_t s = {N, n, d, m, q, K, P, off_ein, off_ff1, chunk};
    const int64_t C = n_chunks(&s), tasks = M * C, Pg = m * d + K * block_size(&s);
    const float inv_n = 1.0f / (float)n;
    float *partial = malloc((size_t)tasks * Pg * sizeof(float));
    if (!partial) return -1;
    int failed = 0;
#pragma omp parallel num_threads(threads)
    {
        v16 *buf = alloc_vectors(scratch_vectors(&s) + (size_t)Pg);
        if (!buf) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; t++) {
            if (!buf) continue;
            const int64_t mem = t / C, c = t % C;
            const float *w = flat + mem * P;
            v16 *xs = buf, *H = xs + d * NG, *A = H + (K + 1) * m * NG, *dh = A + K * q * NG, *dz = dh + m * NG;
            v16 *G = dz + q * NG;
            memset(G, 0, (size_t)Pg * sizeof(v16));
            const int64_t s0 = c * chunk, s1 = s0 + chunk < N ? s0 + chunk : N;
            for (int64_t tok = s0 * n; tok < s1 * n; tok += LW) {
                const int cnt = (int)(s1 * n - tok < LW ? s1 * n - tok : LW);
                load_tokens(X, tok, cnt, d, xs);
                forward_group(&s, w, xs, H, A);
                memset(dh, 0, (size_t)(m * NG) * sizeof(v16));
                int64_t seq = tok / n, pos = tok % n;   /* one division per group, not per lane */
                for (int l = 0; l < cnt; l++) {
                    for (int64_t i = 0; i < m; i++) {
                        float g = gmean[(mem * m + i) * N + seq] * inv_n;
                        if (pos == n - 1) g += glast[(mem * m + i) * N + seq];
                        dh[i * NG + l / L][l % L] = g;
                    }
                    if (++pos == n) { pos = 0; seq++; }
                }
                backward_group(&s, w, xs, H, A, dh, dz, G);
            }
            float *out = partial + t * Pg;
            for (int64_t p = 0; p < Pg; p++) {
                float acc = 0.0f;
                for (int l = 0; l < L; l++) acc += G[p][l];
                out[p] = acc;
            }
        }
        free(buf);
    }
    if (!failed) {
        /* Sum the partials of each member in task order (deterministic), then scatter. */
        for (int64_t mem = 0; mem < M; mem++) {
            float *row = grad + mem * P;
            for (int64_t p = 0; p < Pg; p++) {
                float acc = 0.0f;
                for (int64_t c = 0; c < C; c++) acc += partial[(mem * C + c) * Pg + p];
                if (p < m * d) row[off_ein + p] = acc;
                else row[off_ff1 + (p - m * d)] = acc;
            }
        }
    }
    free(partial);
    return failed ? -1 : 0;
}


/* The second stack alone, on one vector per sequence: Z (M, m, N) -> out (M, m, N), blocks at
   off_ff from each member's row.  Lanes run over sequences. */
int ffn_stack_forward(const float *flat, const float *Z, float *out, int64_t M, int64_t N, int64_t m, int64_t q,
                      int64_t K, int64_t P, int64_t off_ff, int threads) {
    spec_t s = {N, 1, 0, m, q, K, P, 0, off_ff, 1};
    const int64_t groups = (N + LW - 1) / LW, tasks = M * groups;
    int failed = 0;
#pragma omp parallel num_threads(threads)
    {
        v16 *buf = alloc_vectors((size_t)NG * (size_t)((K + 1) * m + K * q));
        if (!buf) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; t++) {
            if (!buf) continue;
            const int64_t mem = t / groups, g0 = (t % groups) * LW;
            const int cnt = (int)(N - g0 < LW ? N - g0 : LW);
            v16 *H = buf, *A = H + (K + 1) * m * NG;
            memset(H, 0, (size_t)(m * NG) * sizeof(v16));
            for (int64_t i = 0; i < m; i++)
                for (int l = 0; l < cnt; l++) H[i * NG + l / L][l % L] = Z[(mem * m + i) * N + g0 + l];
            blocks_forward(&s, flat + mem * P, H, A);
            for (int64_t i = 0; i < m; i++)
                for (int l = 0; l < cnt; l++) out[(mem * m + i) * N + g0 + l] = lane(H + K * m * NG, i, l);
        }
        free(buf);
    }
    return failed ? -1 : 0;
}

/* Backward of ffn_stack_forward: from gout (M, m, N), write gZ (M, m, N) and the blocks' gradients
   into grad (M, P) (other entries untouched).  Partials per lane group, summed in order. */
int ffn_stack_backward(const float *flat, const float *Z, const float *gout, float *gZ, float *grad, int64_t M,
                       int64_t N, int64_t m, int64_t q, int64_t K, int64_t P, int64_t off_ff, int threads) {
    spec_t s = {N, 1, 0, m, q, K, P, 0, off_ff, 1};
    /* Tasks of several lane groups (at most 4 per member, fixed by N: deterministic); one partial each. */
    const int64_t groups = (N + LW - 1) / LW, per = (groups + 3) / 4, C = (groups + per - 1) / per;
    const int64_t tasks = M * C, Pg = K * block_size(&s);
    float *partial = malloc((size_t)(tasks * Pg + 1) * sizeof(float));
    if (!partial) return -1;
    int failed = 0;
#pragma omp parallel num_threads(threads)
    {
        v16 *buf = alloc_vectors((size_t)NG * (size_t)((K + 1) * m + K * q + m + q) + (size_t)Pg);
        if (!buf) {
#pragma omp atomic write
            failed = 1;
        }
#pragma omp for schedule(static)
        for (int64_t t = 0; t < tasks; t++) {
            if (!buf) continue;
            const int64_t mem = t / C, c = t % C;
            v16 *H = buf, *A = H + (K + 1) * m * NG, *dh = A + K * q * NG, *dz = dh + m * NG, *G = dz + q * NG;
            memset(G, 0, (size_t)Pg * sizeof(v16));
            for (int64_t grp = c * per; grp < (c + 1) * per && grp < groups; grp++) {
            const int64_t g0 = grp * LW;
            const int cnt = (int)(N - g0 < LW ? N - g0 : LW);
            memset(H, 0, (size_t)(m * NG) * sizeof(v16));
            memset(dh, 0, (size_t)(m * NG) * sizeof(v16));
            for (int64_t i = 0; i < m; i++)
                for (int l = 0; l < cnt; l++) {
                    H[i * NG + l / L][l % L] = Z[(mem * m + i) * N + g0 + l];
                    dh[i * NG + l / L][l % L] = gout[(mem * m + i) * N + g0 + l];
                }
            blocks_forward(&s, flat + mem * P, H, A);
            blocks_backward(&s, flat + mem * P, H, A, dh, dz, G);
            for (int64_t i = 0; i < m; i++)
                for (int l = 0; l < cnt; l++) gZ[(mem * m + i) * N + g0 + l] = lane(dh, i, l);
            }
            float *part = partial + t * Pg;
            for (int64_t p = 0; p < Pg; p++) {
                float acc = 0.0f;
                for (int l = 0; l < L; l++) acc += G[p][l];
                part[p] = acc;
            }
        }
        free(buf);
    }
    if (!failed)
        for (int64_t mem = 0; mem < M; mem++)
            for (int64_t p = 0; p < Pg; p++) {
                float acc = 0.0f;
                for (int64_t c = 0; c < C; c++) acc += partial[(mem * C + c) * Pg + p];
                grad[mem * P + off_ff + p] = acc;
            }
    free(partial);
    return failed ? -1 : 0;
}
