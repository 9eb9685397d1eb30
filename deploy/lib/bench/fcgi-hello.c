/*
 * The FastCGI transport's limit, for deploy/bench: a minimal libfcgi responder answering a fixed
 * JSON body, shaped like the service's pool (N processes x T accept threads on one unix socket),
 * so the ratio to it measures what the service adds on top of libfcgi.
 *
 *   fcgi-hello SOCKET_PATH PROCESSES THREADS [DATA_DIR]
 *
 * With DATA_DIR, each request does the service's GET status work instead (fcgi-status-work.c:
 * the "C doing the same work" row). Without, a request for /bench/c-accel gets an empty answer
 * naming u000001's bench-bundle in X-Accel-Redirect, no check at all: the ceiling of the bundle
 * rows (nginx's FastCGI round trip, its internal redirect and the send, nothing else).
 * Binds the socket, forks the processes before any thread exists (fork is safe then), and runs
 * until SIGTERM (the parent forwards it to its children).
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int listen_fd;
static const char body[] = "{\"status\":\"ok\"}\n";
static const char accel_head[] = "Status: 200 OK\r\nContent-Type: text/javascript; charset=utf-8\r\n"
                                 "X-Accel-Redirect: /_plugin_files/u000001/bench_bundle/dist/remoteEntry.js\r\n\r\n";
static int status_work;

int status_init(const char *dir);
void *status_thread_open(void);
void status_respond(void *context, FCGX_Request *request);

static void *serve(void *unused) {
    (void)unused;
    FCGX_Request request;
    FCGX_InitRequest(&request, listen_fd, 0);
    void *context = status_work ? status_thread_open() : NULL;
    while (FCGX_Accept_r(&request) >= 0) {
        if (context) {
            status_respond(context, &request);
            FCGX_Finish_r(&request);
            continue;
        }
        const char *uri = FCGX_GetParam("REQUEST_URI", request.envp);
        if (uri && strncmp(uri, "/bench/c-accel", 14) == 0) {
            FCGX_PutStr(accel_head, (int)sizeof accel_head - 1, request.out);
            FCGX_Finish_r(&request);
            continue;
        }
        FCGX_FPrintF(request.out,
                     "Status: 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
                     (int)sizeof body - 1);  /* FCGX_FPrintF knows no %zu */
        FCGX_PutStr(body, (int)sizeof body - 1, request.out);
        FCGX_Finish_r(&request);
    }
    return NULL;
}

static void run_process(int threads) {
    pthread_t ids[threads];
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, serve, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
}

static pid_t children[64];
static int child_count;

static void forward(int sig) {
    for (int i = 0; i < child_count; i++) kill(children[i], sig);
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: %s SOCKET_PATH PROCESSES THREADS [DATA_DIR]\n", argv[0]);
        return 2;
    }
    if (argc == 5) {
        if (status_init(argv[4]) != 0) {
            fprintf(stderr, "no usable jwt-secret in %s\n", argv[4]);
            return 2;
        }
        status_work = 1;
    }
    int processes = atoi(argv[2]), threads = atoi(argv[3]);
    if (processes < 1 || processes > 64 || threads < 1 || threads > 256) {
        fprintf(stderr, "PROCESSES must be 1..64 and THREADS 1..256\n");
        return 2;
    }
    unlink(argv[1]);
    if (FCGX_Init() != 0) return 1;
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) {
        perror("FCGX_OpenSocket");
        return 1;
    }
    for (int i = 0; i < processes; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            /* FCGX_Init caught SIGTERM (libfcgi only sets a flag that a thread blocked in accept
             * never reads): the default makes the forwarded signal end the child. */
            signal(SIGTERM, SIG_DFL);
            run_process(threads);
            _exit(0);
        }
        children[child_count++] = pid;
    }
    signal(SIGTERM, forward);
    signal(SIGINT, forward);
    while (wait(NULL) > 0) {}
    return 0;
}
