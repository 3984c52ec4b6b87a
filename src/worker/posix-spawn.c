/*
 * Starts the worker's plugins. child_process.spawn forks the whole worker: the kernel copies
 * its page tables and the child faults on them until exec, which costs the worker more CPU
 * than a short plugin itself. vfork starts the child in constant time (the parent waits,
 * sharing its memory, until the child has exec'd). The child is set up as
 * child_process.spawn with detached: true would set it up: a session and process group of
 * its own, default signal dispositions and an empty mask, stdin from /dev/null, stdout and
 * stderr into one fd, progress on fd 3, the job's working directory, PATH looked up in the
 * job's environment. Beyond what child_process can do, it asks the kernel for SIGKILL when
 * the worker dies (PR_SET_PDEATHSIG), after dropping to the plugin's user when one is given,
 * since a change of credentials clears that request.
 *
 * spawn(command, argv, envp, cwd, outputFd, progressFd, uid, gid) -> pid, or throws an Error
 *   with the errno number in `errno`; uid and gid are -1 to keep the worker's user.
 * reap(pid) -> undefined while the child runs, else [exitCode | null, signalNumber | null].
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *utf8(napi_env env, napi_value v) {
  size_t n;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &n) != napi_ok) return NULL;
  char *s = malloc(n + 1);
  if (s) napi_get_value_string_utf8(env, v, s, n + 1, &n);
  return s;
}

/* Frees a list from utf8_list, and the strings in it from index `from` on. */
static void free_list(char **list, uint32_t from) {
  if (!list) return;
  for (char **p = list + from; *p; p++) free(*p);
  free(list);
}

/* A NULL-terminated copy of a JS string array; room for `extra` more entries in front. */
static char **utf8_list(napi_env env, napi_value arr, uint32_t extra) {
  uint32_t n;
  if (napi_get_array_length(env, arr, &n) != napi_ok) return NULL;
  char **out = calloc(n + extra + 1, sizeof(char *));
  if (!out) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    napi_get_element(env, arr, i, &e);
    if (!(out[extra + i] = utf8(env, e))) {
      for (uint32_t j = 0; j < i; j++) free(out[extra + j]);
      free(out);
      return NULL;
    }
  }
  return out;
}

static int runnable(const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return errno;
  if (!S_ISREG(st.st_mode) || access(path, X_OK) != 0) return EACCES;
  return 0;
}

/*
 * The file execvp would run for `command`: as given when it has a slash, else the first
 * runnable match in the job's PATH (an empty or relative entry is relative to the job's
 * cwd, as it is in the child). Like execvp, a match that is not runnable is remembered as
 * EACCES and the search goes on.
 */
static int resolve(const char *command, char **envp, const char *cwd, char *out) {
  if (strchr(command, '/')) {
    int n = command[0] == '/' ? snprintf(out, PATH_MAX, "%s", command) : snprintf(out, PATH_MAX, "%s/%s", cwd, command);
    return n >= PATH_MAX ? ENAMETOOLONG : 0;
  }
  const char *path = "/usr/local/bin:/usr/bin:/bin";
  for (char **e = envp; *e; e++) {
    if (strncmp(*e, "PATH=", 5) == 0) { path = *e + 5; break; }
  }
  int err = ENOENT;
  for (const char *p = path;; p++) {
    const char *end = strchrnul(p, ':');
    int len = (int)(end - p), n;
    if (len == 0) n = snprintf(out, PATH_MAX, "%s/%s", cwd, command);
    else if (p[0] == '/') n = snprintf(out, PATH_MAX, "%.*s/%s", len, p, command);
    else n = snprintf(out, PATH_MAX, "%s/%.*s/%s", cwd, len, p, command);
    int r = n >= PATH_MAX ? ENAMETOOLONG : runnable(out);
    if (r == 0) return 0;
    if (r == EACCES) err = EACCES;
    if (!*end) return err;
    p = end;
  }
}

static napi_value throw_errno(napi_env env, int err) {
  napi_value msg, error, num;
  napi_create_string_utf8(env, strerror(err), NAPI_AUTO_LENGTH, &msg);
  napi_create_error(env, NULL, msg, &error);
  napi_create_int32(env, err, &num);
  napi_set_named_property(env, error, "errno", num);
  napi_throw(env, error);
  return NULL;
}

/* Makes `fd` the child's descriptor `to`, kept open across exec. */
static int give(int fd, int to) {
  if (fd == to) return fcntl(fd, F_SETFD, 0);
  return dup2(fd, to) < 0 ? -1 : 0;
}

/*
 * Runs in the vfork child, on the parent's memory and stack: only system calls, no return.
 * Credentials change through raw system calls: glibc's setuid would signal the parent's
 * threads, which the child shares memory with but cannot reach.
 */
static void __attribute__((noreturn, noinline)) child(char *file, char **argv, char **envp, const char *cwd, int out_fd, int progress_fd, int uid,
                                             int gid, pid_t parent, volatile int *err) {
  struct sigaction dfl;
  sigset_t none;
  memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, NULL);
  if (setsid() < 0) goto fail;
  int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in < 0 || give(in, 0) < 0 || give(out_fd, 1) < 0 || give(out_fd, 2) < 0 || give(progress_fd, 3) < 0) goto fail;
  if (chdir(cwd) < 0) goto fail;
  if (gid >= 0 && (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setgid, gid) < 0)) goto fail;
  if (uid >= 0 && syscall(SYS_setuid, uid) < 0) goto fail;
  /* The worker may have died before this line: then nobody would send the signal. */
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent) goto fail;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  execve(file, argv + 1, envp);
  if (errno == ENOEXEC) {
    /* A script with no #! line runs with /bin/sh, in the free slot in front of argv. */
    argv[0] = "/bin/sh";
    argv[1] = file;
    execve("/bin/sh", argv, envp);
  }
fail:
  *err = errno ? errno : ECHILD;
  _exit(127);
}

/* vfork and the child, in a frame of their own so that no caller's variable is shared. */
static pid_t __attribute__((noinline)) start(char *file, char **argv, char **envp, const char *cwd, int out_fd, int progress_fd, int uid, int gid,
                                             int *err) {
  volatile int child_err = 0;
  sigset_t all, old;
  sigfillset(&all);
  /* No handler of the worker's may run in the child, which shares its memory. */
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t parent = getpid();
  pid_t pid = vfork();
  if (pid == 0) child(file, argv, envp, cwd, out_fd, progress_fd, uid, gid, parent, &child_err);
  int vfork_errno = errno;
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (pid < 0) {
    *err = vfork_errno;
    return -1;
  }
  if (child_err) {
    *err = child_err;
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {}
    return -1;
  }
  return pid;
}

static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value a[8];
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  int32_t out_fd = -1, progress_fd = -1, uid = -1, gid = -1;
  if (argc < 8 || napi_get_value_int32(env, a[4], &out_fd) != napi_ok || napi_get_value_int32(env, a[5], &progress_fd) != napi_ok ||
      napi_get_value_int32(env, a[6], &uid) != napi_ok || napi_get_value_int32(env, a[7], &gid) != napi_ok) {
    napi_throw_type_error(env, NULL, "spawn(command, argv, envp, cwd, outputFd, progressFd, uid, gid)");
    return NULL;
  }
  /* argv gets one free slot in front for /bin/sh, should the file be a script with no #! line. */
  char *command = utf8(env, a[0]), *cwd = utf8(env, a[3]);
  char **argv = utf8_list(env, a[1], 1), **envp = utf8_list(env, a[2], 0);
  char file[PATH_MAX];
  int err = (!command || !cwd || !argv || !envp) ? ENOMEM : resolve(command, envp, cwd, file);
  pid_t pid = -1;
  if (!err) {
    /* The child may overwrite argv[1] for the script fallback: it is put back after. */
    char *command_arg = argv[1];
    pid = start(file, argv, envp, cwd, out_fd, progress_fd, uid, gid, &err);
    argv[0] = NULL;
    argv[1] = command_arg;
  }
  free(command);
  free(cwd);
  free_list(argv, 1);
  free_list(envp, 0);
  if (err) return throw_errno(env, err);
  napi_value r;
  napi_create_int32(env, pid, &r);
  return r;
}

static napi_value Reap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1], r, code, sig, null;
  int32_t pid = 0;
  napi_get_cb_info(env, info, &argc, a, NULL, NULL);
  if (argc < 1 || napi_get_value_int32(env, a[0], &pid) != napi_ok || pid <= 0) {
    napi_throw_type_error(env, NULL, "reap(pid)");
    return NULL;
  }
  int status;
  pid_t got;
  do got = waitpid(pid, &status, WNOHANG);
  while (got < 0 && errno == EINTR);
  if (got < 0) return throw_errno(env, errno);
  napi_get_undefined(env, &r);
  if (got == 0) return r;
  napi_get_null(env, &null);
  code = sig = null;
  if (WIFEXITED(status)) napi_create_int32(env, WEXITSTATUS(status), &code);
  else napi_create_int32(env, WTERMSIG(status), &sig);
  napi_create_array_with_length(env, 2, &r);
  napi_set_element(env, r, 0, code);
  napi_set_element(env, r, 1, sig);
  return r;
}

NAPI_MODULE_INIT() {
  napi_value f;
  napi_create_function(env, "spawn", NAPI_AUTO_LENGTH, Spawn, NULL, &f);
  napi_set_named_property(env, exports, "spawn", f);
  napi_create_function(env, "reap", NAPI_AUTO_LENGTH, Reap, NULL, &f);
  napi_set_named_property(env, exports, "reap", f);
  return exports;
}
