/* snowid_remote_t against the real `snowid serve` on loopback, started here
 * (fork + exec of $SNOWID_SERVER_BIN, set by the root `make test-remote`)
 * and stopped by its PID; and against a socket that accepts and never
 * answers, and a port nobody listens on. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snowid.h"
#include "test_util.h"

/* Starts `snowid serve` on a free port; writes its URL; returns its PID. */
static pid_t serve(const char *bin, const char *state, const char *token_file, char *url, size_t url_len) {
  int fds[2];
  pid_t pid;
  char line[512];
  size_t n = 0;
  if (pipe(fds) != 0) return -1;
  pid = fork();
  if (pid == 0) {
    dup2(fds[1], 2);
    close(fds[0]);
    setenv("SNOWID_STATE_DIR", state, 1);
    setenv("SNOWID_HOST_LOCK_DIR", "off", 1);
    if (token_file)
      execl(bin, bin, "serve", "--listen", "127.0.0.1:0", "--token-file", token_file, (char *)NULL);
    else
      execl(bin, bin, "serve", "--listen", "127.0.0.1:0", (char *)NULL);
    _exit(127);
  }
  close(fds[1]);
  /* the first line of stderr names the address: "... http://127.0.0.1:PORT ..." */
  while (n + 1 < sizeof line && read(fds[0], &line[n], 1) == 1 && line[n] != '\n') n++;
  line[n] = '\0';
  {
    const char *at = strstr(line, "http://");
    size_t len = 0;
    if (at == NULL) return -1;
    while (at[len] && at[len] != ' ' && len + 1 < url_len) len++;
    memcpy(url, at, len);
    url[len] = '\0';
  }
  /* the server's later stderr goes to a pipe nobody reads: keep it small */
  return pid;
}

static void stop(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
}

/* A listening socket on a free port (accepts in the kernel, never answers). */
static int listener(int *port) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int s = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, (struct sockaddr *)&a, sizeof a);
  listen(s, 8);
  getsockname(s, (struct sockaddr *)&a, &len);
  *port = ntohs(a.sin_port);
  return s;
}

int main(void) {
  const char *bin = getenv("SNOWID_SERVER_BIN");
  char state[] = "/tmp/snowid-c-remote-XXXXXX";
  char url[256], bad[128], tf[512];
  snowid_remote_t *g = NULL;
  snowid_options_t *o = NULL;
  uint64_t ids[2000], id = 0;
  size_t i;
  int port, s;
  pid_t pid;
  FILE *f;

  CHECK(bin != NULL, "SNOWID_SERVER_BIN is not set: run `make test-remote` at the repository root");
  if (bin == NULL) return test_finish("c-remote");
  CHECK(mkdtemp(state) != NULL, "mkdtemp");

  /* construct; IDs increase and are unique */
  pid = serve(bin, state, NULL, url, sizeof url);
  CHECK(pid > 0, "server started");
  OK(snowid_remote_new(url, NULL, &g));
  OK(snowid_remote_ready(g));
  for (i = 0; i < 1000; i++) OK(snowid_remote_next(g, &ids[i]));
  OK(snowid_remote_next_batch(g, &ids[1000], 1000));
  for (i = 1; i < 2000; i++) CHECK(ids[i] > ids[i - 1], "increase at %zu", i);
  snowid_remote_free(g);
  g = NULL;

  /* bad input at every entry point */
  EXPECT(snowid_remote_new(NULL, NULL, &g), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_remote_new(url, NULL, NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_remote_new("ftp://h", NULL, &g), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_remote_new(url, "has space", &g), SNOWID_ERR_INVALID_SETTING);
  CHECK(strstr(snowid_last_error_message(), "has space") == NULL, "the token is never shown");
  EXPECT(snowid_remote_new("http://\xff", NULL, &g), SNOWID_ERR_INVALID_SETTING);
  EXPECT(snowid_remote_next(NULL, &id), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_remote_next_batch(NULL, ids, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_remote_ready(NULL), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_remote_new_with_options(NULL, &g), SNOWID_ERR_NULL_ARGUMENT);
  snowid_remote_free(NULL);
  OK(snowid_options_new(&o));
  EXPECT(snowid_remote_new_with_options(o, &g), SNOWID_ERR_INVALID_SETTING); /* no url */
  MESSAGE_HAS("url");
  OK(snowid_options_set_str(o, "url", url));
  OK(snowid_options_set_int(o, "batch", 0));
  EXPECT(snowid_remote_new_with_options(o, &g), SNOWID_ERR_INVALID_SETTING);
  snowid_options_free(o);
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "url", url));
  OK(snowid_options_set_int(o, "batch", 10));
  OK(snowid_options_set_str(o, "key", "a/b"));
  EXPECT(snowid_remote_new_with_options(o, &g), SNOWID_ERR_SEGMENT_KEY);
  snowid_options_free(o);
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "url", url));
  OK(snowid_options_set_int(o, "batch", 10));
  OK(snowid_remote_new_with_options(o, &g));
  EXPECT(snowid_remote_next_batch(g, NULL, 1), SNOWID_ERR_NULL_ARGUMENT);
  EXPECT(snowid_remote_next_batch(g, ids, SNOWID_MAX_BATCH + 1), SNOWID_ERR_INVALID_SETTING);
  OK(snowid_remote_next_batch(g, ids, 25));
  snowid_remote_free(g);
  g = NULL;
  snowid_options_free(o);
  stop(pid);

  /* errors when the server is down: refused after bounded retries */
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "url", url)); /* the killed server's port */
  OK(snowid_options_set_int(o, "timeout_ms", 300));
  OK(snowid_remote_new_with_options(o, &g));
  EXPECT(snowid_remote_next(g, &id), SNOWID_ERR_REMOTE_UNAVAILABLE);
  snowid_remote_free(g);
  snowid_options_free(o);

  /* a stalled server: accepts, never answers */
  s = listener(&port);
  snprintf(bad, sizeof bad, "http://127.0.0.1:%d", port);
  OK(snowid_options_new(&o));
  OK(snowid_options_set_str(o, "url", bad));
  OK(snowid_options_set_int(o, "timeoutMs", 300));
  OK(snowid_remote_new_with_options(o, &g));
  EXPECT(snowid_remote_next(g, &id), SNOWID_ERR_REMOTE_TIMEOUT);
  snowid_remote_free(g);
  snowid_options_free(o);
  close(s);

  /* a bad token */
  snprintf(tf, sizeof tf, "%s/token", state);
  f = fopen(tf, "w");
  fputs("s3cret\n", f);
  fclose(f);
  pid = serve(bin, state, tf, url, sizeof url);
  OK(snowid_remote_new(url, "wrong", &g));
  EXPECT(snowid_remote_next(g, &id), SNOWID_ERR_UNAUTHORIZED);
  snowid_remote_free(g);
  OK(snowid_remote_new(url, "s3cret", &g));
  OK(snowid_remote_next(g, &id));
  snowid_remote_free(g);
  stop(pid);
  return test_finish("c-remote");
}
