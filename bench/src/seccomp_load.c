// bench/seccomp-load's timer: the kernel's cost of loading one seccomp program, as libseccomp
// compiles it without and with its binary-tree optimisation (SCMP_FLTATR_CTL_OPTIMIZE 2, which
// roost-runtime uses). Rules come from a text file, one per line:
//   ACTION ERRNO NAME NARGS [INDEX OP VALUE VALUETWO]...
// (bench/seccomp-load writes it from `roost-runtime spec --rootless`'s profile with jq). Each load
// is made in a fresh child (filters stack within a process), timed around seccomp(2) alone, and
// the two programs alternate so load from elsewhere hits both alike.
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static enum scmp_compare compare(const char* op) {
  static const struct { const char* name; enum scmp_compare op; } ops[] = {
      {"SCMP_CMP_NE", SCMP_CMP_NE}, {"SCMP_CMP_LT", SCMP_CMP_LT}, {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ}, {"SCMP_CMP_GE", SCMP_CMP_GE}, {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (!strcmp(op, ops[i].name)) return ops[i].op;
  fprintf(stderr, "seccomp_load: unknown operator %s\n", op);
  exit(2);
}

// The program for the rules file, exported as BPF; *len its instruction count.
static struct sock_filter* compile(const char* rules, int tree, size_t* len) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
  seccomp_arch_add(ctx, SCMP_ARCH_X86);
  seccomp_arch_add(ctx, SCMP_ARCH_X32);
  if (tree && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) != 0) {
    fprintf(stderr, "seccomp_load: this libseccomp has no binary-tree optimisation\n");
    exit(2);
  }
  FILE* in = fopen(rules, "r");
  if (!in) { perror(rules); exit(2); }
  char line[2048];
  while (fgets(line, sizeof line, in)) {
    char action[64], name[64];
    int err, nargs, used;
    if (sscanf(line, "%63s %d %63s %d%n", action, &err, name, &nargs, &used) != 4) continue;
    const uint32_t act = !strcmp(action, "SCMP_ACT_ALLOW") ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(err);
    if (act == SCMP_ACT_ERRNO(EPERM)) continue;  // the default action
    struct scmp_arg_cmp cmps[6];
    const char* p = line + used;
    for (int i = 0; i < nargs && i < 6; i++) {
      unsigned index;
      char op[64];
      unsigned long long a, b;
      int n;
      sscanf(p, " %u %63s %llu %llu%n", &index, op, &a, &b, &n);
      p += n;
      cmps[i] = (struct scmp_arg_cmp){index, compare(op), a, b};
    }
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr != __NR_SCMP_ERROR) seccomp_rule_add_array(ctx, act, nr, (unsigned)nargs, cmps);
  }
  fclose(in);
  FILE* out = tmpfile();
  seccomp_export_bpf(ctx, fileno(out));
  seccomp_release(ctx);
  *len = (size_t)ftell(out) / sizeof(struct sock_filter);
  struct sock_filter* code = malloc(*len * sizeof *code);
  rewind(out);
  if (fread(code, sizeof *code, *len, out) != *len) exit(2);
  fclose(out);
  return code;
}

// Microseconds of one seccomp(2) load in a new child.
static double load_once(struct sock_filter* code, size_t len) {
  int fds[2];
  if (pipe(fds) != 0) exit(2);
  const pid_t pid = fork();
  if (pid == 0) {
    struct sock_fprog prog = {(unsigned short)len, code};
    struct timespec a, b;
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    const long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
    clock_gettime(CLOCK_MONOTONIC, &b);
    double us = rc == 0 ? (double)(b.tv_sec - a.tv_sec) * 1e6 + (double)(b.tv_nsec - a.tv_nsec) / 1e3 : -1;
    if (write(fds[1], &us, sizeof us) != sizeof us) _exit(1);
    _exit(0);
  }
  double us = -1;
  if (read(fds[0], &us, sizeof us) != sizeof us || us < 0) { fprintf(stderr, "seccomp_load: load failed\n"); exit(1); }
  waitpid(pid, NULL, 0);
  close(fds[0]);
  close(fds[1]);
  return us;
}

static int by_value(const void* a, const void* b) {
  const double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  if (argc != 3) { fprintf(stderr, "usage: seccomp_load RULES RUNS\n"); return 2; }
  const int runs = atoi(argv[2]);
  size_t len[2];
  struct sock_filter* code[2] = {compile(argv[1], 0, &len[0]), compile(argv[1], 1, &len[1])};
  double* us[2] = {calloc((size_t)runs, sizeof(double)), calloc((size_t)runs, sizeof(double))};
  for (int i = 0; i < runs; i++)
    for (int k = 0; k < 2; k++) us[k][i] = load_once(code[k], len[k]);
  const char* names[2] = {"linear (libseccomp's default)", "binary tree (roost-runtime)"};
  double median[2];
  for (int k = 0; k < 2; k++) {
    qsort(us[k], (size_t)runs, sizeof(double), by_value);
    median[k] = us[k][runs / 2];
    printf("%-30s %5zu instructions  median %7.1f us  min %7.1f us\n", names[k], len[k], median[k], us[k][0]);
  }
  printf("ratio tree/linear: %.2f\n", median[1] / median[0]);
  return 0;
}
