/*
 * fg_rusage.c - runs a command and prints its wall time and peak resident memory, for
 * `make bench`: "wall_seconds=1.234 peak_rss_kb=5678 exit=0" on standard error.
 * Output of the command itself goes where it would have gone.
 *
 *   fg_rusage COMMAND [ARG]...
 */
#define _DEFAULT_SOURCE

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: fg_rusage COMMAND [ARG]...\n", stderr);
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fg_rusage: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("fg_rusage: exec");
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    memset(&usage, 0, sizeof usage);
    if (wait4(pid, &status, 0, &usage) < 0) {
        perror("fg_rusage: wait4");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    double wall = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    fprintf(stderr, "wall_seconds=%.3f peak_rss_kb=%ld exit=%d\n", wall, usage.ru_maxrss, code);
    return 0;
}
