/*
 * fg_gen.c - a deterministic generator of realistic synthetic predictions, for the demo,
 * the tests and the benchmark (generated data is never committed).
 *
 * Each row is a person with a latent quality q ~ N(0, 1). The outcome depends on q; the
 * incumbent model sees q through noise; the candidate sees it through less noise (it is
 * more accurate overall) but under-scores one group (it regresses for that group): the
 * "better model, worse disparity" case a fairness gate exists to catch. One group is
 * small, so minimum-group-size rules have something to do.
 *
 *   fg_gen --rows N [--seed S] [--scenario loan|hiring] [--incumbent-out FILE]
 *          [--incumbent-order reverse|same|shuffled] [--narrow]
 *
 * The CSV goes to standard output. With --incumbent-out, the incumbent's predictions go
 * to FILE (id + prediction; in reverse order by default, to exercise the id join; in the
 * same order as the main file for the aligned join; or shuffled) and are left out of the
 * main file. --narrow (loan only) writes just the columns a gate reads,
 * applicant_id,sex,race,defaulted,approve_new[,approve_old]: the two files of a team that
 * scores each model in its own job, and the one file they join to. Same arguments, same
 * bytes: the PRNG is splitmix64 (the shuffle has its own, so the rows do not change).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double uniform(void)
{
    return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
    return sqrt(-2.0 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static double sigmoid(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

struct category {
    const char *name;
    double share;
    double shift;   /* effect on the latent quality (structural disadvantage in the data) */
    double penalty; /* what the candidate model wrongly subtracts for this group */
};

static const char *pick(const struct category *cats, size_t n, size_t *index)
{
    double u = uniform(), acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        acc += cats[i].share;
        if (u < acc || i + 1 == n) {
            *index = i;
            return cats[i].name;
        }
    }
    *index = n - 1;
    return cats[n - 1].name;
}

static const struct category loan_sex[] = {
    {"Female", 0.48, -0.05, 0.0},
    {"Male", 0.52, 0.0, 0.0},
};
static const struct category loan_race[] = {
    {"White", 0.60, 0.0, 0.0},    {"Black", 0.18, -0.15, 0.75},   {"Hispanic", 0.14, -0.10, 0.0},
    {"Asian", 0.0775, 0.05, 0.0}, {"Native", 0.0025, -0.10, 0.0},
};
static const struct category hire_gender[] = {
    {"Woman", 0.45, 0.0, 0.55},
    {"Man", 0.53, 0.0, 0.0},
    {"Nonbinary", 0.02, 0.0, 0.0},
};
static const struct category hire_ethnicity[] = {
    {"White", 0.55, 0.0, 0.0},
    {"Black", 0.15, 0.0, 0.0},
    {"Hispanic", 0.18, 0.0, 0.0},
    {"Asian", 0.12, 0.0, 0.0},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int usage(void)
{
    fputs("usage: fg_gen --rows N [--seed S] [--scenario loan|hiring] [--incumbent-out FILE]\n"
          "              [--incumbent-order reverse|same|shuffled] [--narrow]\n",
          stderr);
    return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

/* The order the incumbent file lists the rows in: order[k] is the 0-based row of line k. */
static uint32_t *incumbent_order(uint64_t rows, const char *how, uint64_t seed)
{
    uint32_t *order = malloc((rows ? rows : 1) * sizeof *order);
    if (order == NULL)
        return NULL;
    for (uint64_t k = 0; k < rows; k++)
        order[k] = (uint32_t)(strcmp(how, "reverse") == 0 ? rows - 1 - k : k);
    if (strcmp(how, "shuffled") == 0) {
        uint64_t saved = rng_state;
        rng_state = seed ^ 0x5deece66dULL;
        for (uint64_t k = rows; k > 1; k--) { /* Fisher-Yates */
            uint64_t j = next_u64() % k;
            uint32_t t = order[k - 1];
            order[k - 1] = order[j];
            order[j] = t;
        }
        rng_state = saved;
    }
    return order;
}

/* Writes the incumbent file: id and prediction, in the order asked for. */
static int write_incumbent(const char *path, const char *incumbent, uint64_t rows, const char *how,
                           uint64_t seed)
{
    uint32_t *order = incumbent_order(rows, how, seed);
    FILE *f = order != NULL ? fopen(path, "w") : NULL;
    if (f == NULL) {
        fprintf(stderr, "fg_gen: cannot write %s: %s\n", path, strerror(errno));
        free(order);
        return 1;
    }
    static char fbuf[1 << 16];
    setvbuf(f, fbuf, _IOFBF, sizeof fbuf);
    fprintf(f, "applicant_id,approve_old\n");
    for (uint64_t k = 0; k < rows; k++)
        fprintf(f, "A%07" PRIu32 ",%d\n", order[k] + 1, incumbent[order[k]]);
    free(order);
    if (fclose(f) != 0) {
        fprintf(stderr, "fg_gen: write error on %s\n", path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t rows = 0, seed = 42;
    const char *scenario = "loan", *incumbent_out = NULL, *order = "reverse";
    int have_rows = 0, narrow = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--narrow") == 0) {
            narrow = 1;
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--incumbent-order") == 0) {
            order = argv[++i];
            if (strcmp(order, "reverse") != 0 && strcmp(order, "same") != 0 &&
                strcmp(order, "shuffled") != 0)
                return usage();
        } else if (strcmp(argv[i], "--rows") == 0) {
            if (parse_u64(argv[++i], &rows) != 0)
                return usage();
            have_rows = 1;
        } else if (strcmp(argv[i], "--seed") == 0) {
            if (parse_u64(argv[++i], &seed) != 0)
                return usage();
        } else if (strcmp(argv[i], "--scenario") == 0) {
            scenario = argv[++i];
        } else if (strcmp(argv[i], "--incumbent-out") == 0) {
            incumbent_out = argv[++i];
        } else {
            return usage();
        }
    }
    int loan = strcmp(scenario, "loan") == 0;
    if (!have_rows || (!loan && strcmp(scenario, "hiring") != 0) || (narrow && !loan) ||
        rows > UINT32_MAX)
        return usage();
    rng_state = seed;

    const struct category *a = loan ? loan_sex : hire_gender;
    const struct category *b = loan ? loan_race : hire_ethnicity;
    size_t na = loan ? COUNT(loan_sex) : COUNT(hire_gender);
    size_t nb = loan ? COUNT(loan_race) : COUNT(hire_ethnicity);

    char *incumbent = NULL;
    if (incumbent_out != NULL) {
        incumbent = malloc(rows ? rows : 1);
        if (incumbent == NULL) {
            fputs("fg_gen: out of memory\n", stderr);
            return 1;
        }
    }
    static char buf[1 << 16];
    setvbuf(stdout, buf, _IOFBF, sizeof buf);
    if (narrow)
        printf("applicant_id,sex,race,defaulted,approve_new%s\n", incumbent ? "" : ",approve_old");
    else if (loan)
        printf("applicant_id,sex,race,defaulted,p_old,approve_old,p_new,approve_new\n");
    else
        printf("candidate_id,gender,ethnicity,qualified,advance_old,score_new,advance_new\n");
    for (uint64_t r = 0; r < rows; r++) {
        size_t ia, ib;
        const char *va = pick(a, na, &ia), *vb = pick(b, nb, &ib);
        double q = normal() + a[ia].shift + b[ib].shift;
        double p_old = sigmoid(1.1 + 1.4 * (q + 0.9 * normal()));
        double p_new = sigmoid(1.1 + 1.6 * (q + 0.5 * normal()) - a[ia].penalty - b[ib].penalty);
        int old_yes = p_old >= 0.5, new_yes = p_new >= 0.5;
        if (loan) {
            int defaulted = uniform() < sigmoid(-1.6 - 1.3 * q);
            if (narrow && incumbent)
                printf("A%07" PRIu64 ",%s,%s,%d,%d\n", r + 1, va, vb, defaulted, new_yes);
            else if (narrow)
                printf("A%07" PRIu64 ",%s,%s,%d,%d,%d\n", r + 1, va, vb, defaulted, new_yes,
                       old_yes);
            else if (incumbent)
                printf("A%07" PRIu64 ",%s,%s,%d,,,%.4f,%d\n", r + 1, va, vb, defaulted, p_new,
                       new_yes);
            else
                printf("A%07" PRIu64 ",%s,%s,%d,%.4f,%d,%.4f,%d\n", r + 1, va, vb, defaulted, p_old,
                       old_yes, p_new, new_yes);
        } else {
            int qualified = uniform() < sigmoid(-0.4 + 1.5 * q);
            printf("C%07" PRIu64 ",%s,%s,%s,%s,%.4f,%s\n", r + 1, va, vb, qualified ? "yes" : "no",
                   old_yes ? "advance" : "reject", p_new, new_yes ? "advance" : "reject");
        }
        if (incumbent)
            incumbent[r] = (char)old_yes;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("fg_gen: write error\n", stderr);
        return 1;
    }
    if (incumbent != NULL) {
        int rc = write_incumbent(incumbent_out, incumbent, rows, order, seed);
        free(incumbent);
        return rc;
    }
    return 0;
}
