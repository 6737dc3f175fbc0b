/* cutproxy.c - a TCP proxy on 127.0.0.1 that cuts connections at chosen byte offsets, to prove
 * that sync survives a link that drops at any moment (including right after the server
 * committed and before its answer arrived).
 *
 * usage: cutproxy TARGET_PORT PLAN [PORT_FILE]
 *   PLAN: comma-separated cuts, one per connection in the order they are accepted:
 *         up:N   close both sides once N bytes went client -> server
 *         down:N close both sides once N bytes went server -> client
 *         pass   forward the whole connection
 *   Connections after the last cut pass through. The proxy listens on a free port of
 *   127.0.0.1 and prints "cutproxy: listening on 127.0.0.1:PORT" (and writes PORT to
 *   PORT_FILE). It runs until killed. */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PAIRS 64
#define MAX_CUTS  4096

typedef struct pair {
    int client, server;
    int dir;       /* 0 pass, 1 up, 2 down */
    long limit;    /* bytes before the cut in that direction */
    long up, down; /* bytes forwarded each way */
} pair;

static pair pairs[MAX_PAIRS];
static int npairs;
static int cut_dir[MAX_CUTS];
static long cut_at[MAX_CUTS];
static int ncuts, next_cut;

static void parse_plan(char *plan)
{
    for (char *p = plan; p && *p && ncuts < MAX_CUTS;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (!strncmp(p, "up:", 3)) {
            cut_dir[ncuts] = 1;
            cut_at[ncuts] = strtol(p + 3, NULL, 10);
        } else if (!strncmp(p, "down:", 5)) {
            cut_dir[ncuts] = 2;
            cut_at[ncuts] = strtol(p + 5, NULL, 10);
        } else {
            cut_dir[ncuts] = 0;
        }
        ncuts++;
        p = comma ? comma + 1 : NULL;
    }
}

static int connect_target(int port)
{
    struct sockaddr_in a = {0};
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

static void drop(int i)
{
    close(pairs[i].client);
    close(pairs[i].server);
    pairs[i] = pairs[--npairs];
}

/* Forwards what is readable on from to to; returns 0 to keep the pair, -1 to drop it. */
static int pump(pair *p, int from_client)
{
    char buf[16384];
    int from = from_client ? p->client : p->server, to = from_client ? p->server : p->client;
    long *count = from_client ? &p->up : &p->down;
    int cutting = p->dir == (from_client ? 1 : 2);
    ssize_t n = read(from, buf, sizeof(buf));

    if (n <= 0)
        return -1;
    if (cutting && *count + n >= p->limit) {
        long keep = p->limit - *count;
        if (keep > 0 && write(to, buf, (size_t)keep) < 0)
            return -1;
        *count += keep;
        return -1; /* the cut: both sides closed, mid-message */
    }
    for (ssize_t off = 0; off < n;) {
        ssize_t w = write(to, buf + off, (size_t)(n - off));
        if (w <= 0)
            return -1;
        off += w;
    }
    *count += n;
    return 0;
}

int main(int argc, char **argv)
{
    struct sockaddr_in a = {0};
    socklen_t len = sizeof(a);
    int lfd, target, one = 1;

    if (argc < 3) {
        fprintf(stderr, "usage: cutproxy TARGET_PORT PLAN [PORT_FILE]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    target = (int)strtol(argv[1], NULL, 10);
    parse_plan(argv[2]);
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only, always */
    if (bind(lfd, (struct sockaddr *)&a, sizeof(a)) || listen(lfd, 64) ||
        getsockname(lfd, (struct sockaddr *)&a, &len)) {
        perror("cutproxy");
        return 1;
    }
    printf("cutproxy: listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);
    if (argc > 3) {
        FILE *f = fopen(argv[3], "w");
        if (f) {
            fprintf(f, "%d\n", ntohs(a.sin_port));
            fclose(f);
        }
    }
    for (;;) {
        struct pollfd fds[1 + 2 * MAX_PAIRS];
        int n = 0;
        fds[n++] = (struct pollfd){lfd, POLLIN, 0};
        for (int i = 0; i < npairs; i++) {
            fds[n++] = (struct pollfd){pairs[i].client, POLLIN, 0};
            fds[n++] = (struct pollfd){pairs[i].server, POLLIN, 0};
        }
        if (poll(fds, (nfds_t)n, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        /* Pairs first (from the end, since drop() moves the last into a hole). */
        for (int i = npairs - 1; i >= 0; i--) {
            short c = fds[1 + 2 * i].revents, s = fds[2 + 2 * i].revents;
            if ((c & (POLLIN | POLLHUP | POLLERR)) && pump(&pairs[i], 1) < 0)
                drop(i);
            else if ((s & (POLLIN | POLLHUP | POLLERR)) && pump(&pairs[i], 0) < 0)
                drop(i);
        }
        if (fds[0].revents & POLLIN) {
            int c = accept(lfd, NULL, NULL);
            if (c < 0)
                continue;
            int s = connect_target(target);
            if (s < 0 || npairs == MAX_PAIRS) {
                close(c);
                if (s >= 0)
                    close(s);
                continue;
            }
            pair *p = &pairs[npairs++];
            memset(p, 0, sizeof(*p));
            p->client = c;
            p->server = s;
            if (next_cut < ncuts) {
                p->dir = cut_dir[next_cut];
                p->limit = cut_at[next_cut];
                next_cut++;
            }
            fprintf(stderr, "cutproxy: connection %d: %s %ld\n", next_cut,
                    p->dir == 1   ? "up"
                    : p->dir == 2 ? "down"
                                  : "pass",
                    p->limit);
        }
    }
}
