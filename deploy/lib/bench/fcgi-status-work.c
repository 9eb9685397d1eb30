/*
 * The service's GET status, installed and available done in C, for deploy/bench's "C doing the
 * same work" rows: what the same requests cost with no framework at all, so the ratio to them
 * measures the Swift service's own overhead rather than the work. GET status, as the service:
 *   - HS256: HMAC-SHA256 (OpenSSL) over header.payload, compared in constant time; exp and sub
 *     read from the payload (the service also checks nbf, iat, iss, aud, alg: a few compares);
 *   - one read transaction on a per-thread read-only connection with prepared statements: the
 *     lease, the plugin row, its module names and its files;
 *   - the file checks: the user's folder and the plugin's opened with O_NOFOLLOW, each
 *     subfolder once, each file fstatat'd (size compared);
 *   - a JSON body with the counts, and a JSON log line written to stderr with one write(2).
 * GET installed does that for each of the user's plugins (one transaction); GET available reads
 * the user's installed versions and writes them into a catalog body of the service's size.
 * Routes: /bench/c-status/{slug}/status, /bench/c-status/installed, /bench/c-status/available.
 * Used by fcgi-hello.c when it is given a data directory.
 */
#include <ctype.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char data_dir[1024];
static unsigned char secret[512];
static int secret_len;

struct status_thread {
    sqlite3 *db;
    sqlite3_stmt *begin, *commit, *lease, *plugin, *modules, *files, *plugins_of_user, *versions_of_user;
};

int status_init(const char *dir) {
    snprintf(data_dir, sizeof data_dir, "%s", dir);
    char path[1100];
    snprintf(path, sizeof path, "%s/jwt-secret", dir);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    secret_len = (int)fread(secret, 1, sizeof secret, f);
    fclose(f);
    if (secret_len > 0 && secret[secret_len - 1] == '\n') secret_len--;  /* as SecretPolicy */
    return secret_len > 0 ? 0 : -1;
}

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql) {
    sqlite3_stmt *s = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
        fprintf(stderr, "prepare: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    return s;
}

void *status_thread_open(void) {
    struct status_thread *t = calloc(1, sizeof *t);
    char path[1100];
    snprintf(path, sizeof path, "%s/lifecycle.sqlite", data_dir);
    if (sqlite3_open_v2(path, &t->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) exit(1);
    sqlite3_busy_timeout(t->db, 5000);
    t->begin = prepare(t->db, "BEGIN");
    t->commit = prepare(t->db, "COMMIT");
    t->lease = prepare(t->db, "SELECT operation_id, owner, expires_at FROM operation_lease WHERE user_id = ?1 AND plugin_slug = ?2");
    t->plugin = prepare(t->db, "SELECT id, version, enabled, manifest_json FROM plugin WHERE user_id = ?1 AND plugin_slug = ?2");
    t->modules = prepare(t->db, "SELECT name FROM module WHERE plugin_id = ?1 ORDER BY id");
    t->files = prepare(t->db, "SELECT path, size FROM installed_file WHERE plugin_id = ?1 ORDER BY path");
    t->plugins_of_user = prepare(t->db, "SELECT id, plugin_slug, version, enabled FROM plugin WHERE user_id = ?1 ORDER BY plugin_slug");
    t->versions_of_user = prepare(t->db, "SELECT plugin_slug, version FROM plugin WHERE user_id = ?1");
    return t;
}

static int b64url_value(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

/* Unpadded base64url; -1 on a bad character or when it does not fit. */
static int b64url_decode(const char *in, size_t n, unsigned char *out, size_t cap) {
    size_t o = 0;
    unsigned int acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_value((unsigned char)in[i]);
        if (v < 0) return -1;
        acc = (acc << 6) | (unsigned int)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o >= cap) return -1;
            out[o++] = (unsigned char)(acc >> bits);
        }
    }
    return (int)o;
}

/* The value after "name": in a flat JSON object (whitespace skipped), or NULL. */
static const char *json_value(const char *json, const char *name) {
    char key[32];
    snprintf(key, sizeof key, "\"%s\"", name);
    const char *p = strstr(json, key);
    if (!p) return NULL;
    p += strlen(key);
    while (*p == ' ' || *p == ':') p++;
    return p;
}

/* The token's subject into user when the signature and exp hold. */
static int verify(const char *auth, char *user, size_t cap) {
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) return 0;
    const char *token = auth + 7;
    const char *dot1 = strchr(token, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2) return 0;
    unsigned char mac[EVP_MAX_MD_SIZE], sig[64];
    unsigned int mac_len = 0;
    HMAC(EVP_sha256(), secret, secret_len, (const unsigned char *)token, (size_t)(dot2 - token), mac, &mac_len);
    int sig_len = b64url_decode(dot2 + 1, strlen(dot2 + 1), sig, sizeof sig);
    if (sig_len != 32 || mac_len != 32 || CRYPTO_memcmp(sig, mac, 32) != 0) return 0;
    char payload[2048];
    int len = b64url_decode(dot1 + 1, (size_t)(dot2 - dot1 - 1), (unsigned char *)payload, sizeof payload - 1);
    if (len < 0) return 0;
    payload[len] = 0;
    const char *exp = json_value(payload, "exp"), *sub = json_value(payload, "sub");
    if (!exp || strtod(exp, NULL) <= (double)time(NULL) || !sub || *sub != '"') return 0;
    const char *end = strchr(sub + 1, '"');
    if (!end || (size_t)(end - sub - 1) >= cap) return 0;
    memcpy(user, sub + 1, (size_t)(end - sub - 1));
    user[end - sub - 1] = 0;
    return 1;
}

/* Sizes of the recorded files under the plugin's folder, never through a link: counts missing
 * and modified ones. Each subfolder is opened once per request (the last one kept open). */
static void check_files(sqlite3_stmt *files, const char *user, const char *slug, int *expected, int *missing, int *modified) {
    char path[1300];
    snprintf(path, sizeof path, "%s/plugins/%s", data_dir, user);
    int user_fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int root = user_fd < 0 ? -1 : openat(user_fd, slug, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (user_fd >= 0) close(user_fd);
    char folder_name[512] = "";
    int folder_fd = -1;
    while (sqlite3_step(files) == SQLITE_ROW) {
        const char *file = (const char *)sqlite3_column_text(files, 0);
        sqlite3_int64 size = sqlite3_column_int64(files, 1);
        (*expected)++;
        const char *slash = strrchr(file, '/');
        int dir = root;
        if (root >= 0 && slash) {
            size_t n = (size_t)(slash - file);
            if (n >= sizeof folder_name || strncmp(folder_name, file, n) != 0 || folder_name[n] != 0) {
                if (folder_fd >= 0) close(folder_fd);
                memcpy(folder_name, file, n);
                folder_name[n] = 0;
                folder_fd = root;
                char part[512];
                for (const char *p = folder_name; folder_fd >= 0 && *p;) {
                    const char *q = strchr(p, '/');
                    size_t len = q ? (size_t)(q - p) : strlen(p);
                    memcpy(part, p, len);
                    part[len] = 0;
                    int next = openat(folder_fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                    if (folder_fd != root) close(folder_fd);
                    folder_fd = next;
                    p += len + (q ? 1 : 0);
                }
            }
            dir = folder_fd;
        }
        struct stat st;
        const char *name = slash ? slash + 1 : file;
        if (dir < 0 || fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode)) (*missing)++;
        else if (st.st_size != size) (*modified)++;
    }
    if (folder_fd >= 0 && folder_fd != root) close(folder_fd);
    if (root >= 0) close(root);
}

/* The health of one plugin of the user, inside the caller's read transaction. */
static const char *plugin_health(struct status_thread *t, const char *user, const char *slug, const char *plugin_id,
                                 int *expected, int *missing, int *modified, int *modules) {
    sqlite3_bind_text(t->modules, 1, plugin_id, -1, SQLITE_STATIC);
    while (sqlite3_step(t->modules) == SQLITE_ROW) (*modules)++;
    sqlite3_reset(t->modules);
    sqlite3_bind_text(t->files, 1, plugin_id, -1, SQLITE_STATIC);
    check_files(t->files, user, slug, expected, missing, modified);
    sqlite3_reset(t->files);
    return *missing ? "files_missing" : *modified ? "files_modified" : "healthy";
}

static int respond_status(struct status_thread *t, const char *user, const char *slug, char *body, size_t cap) {
    int exists = 0, enabled = 0, leased = 0, expected = 0, missing = 0, modified = 0, modules = 0;
    char version[64] = "", plugin_id[128] = "";
    const char *health = "not_installed";
    sqlite3_bind_text(t->lease, 1, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(t->lease, 2, slug, -1, SQLITE_STATIC);
    leased = sqlite3_step(t->lease) == SQLITE_ROW;
    sqlite3_reset(t->lease);
    sqlite3_bind_text(t->plugin, 1, user, -1, SQLITE_STATIC);
    sqlite3_bind_text(t->plugin, 2, slug, -1, SQLITE_STATIC);
    if (sqlite3_step(t->plugin) == SQLITE_ROW) {
        exists = 1;
        snprintf(plugin_id, sizeof plugin_id, "%s", (const char *)sqlite3_column_text(t->plugin, 0));
        snprintf(version, sizeof version, "%s", (const char *)sqlite3_column_text(t->plugin, 1));
        enabled = sqlite3_column_int(t->plugin, 2);
    }
    sqlite3_reset(t->plugin);
    if (exists) health = plugin_health(t, user, slug, plugin_id, &expected, &missing, &modified, &modules);
    if (exists && leased) health = "operation_in_progress";
    return snprintf(body, cap,
        "{\"data\":{\"enabled\":%s,\"exists\":%s,\"files\":{\"expected\":%d,\"missing\":%d,\"modified\":%d},"
        "\"files_exist\":%s,\"modules_status\":{\"expected_count\":%d,\"loaded_count\":%d},\"plugin_id\":\"%s\","
        "\"plugin_slug\":\"%s\",\"status\":\"%s\",\"version\":\"%s\"},\"message\":\"Plugin status\",\"status\":\"success\"}",
        enabled ? "true" : "false", exists ? "true" : "false", expected, missing, modified,
        missing ? "false" : "true", modules, modules, plugin_id, slug, health, version);
}

static int respond_installed(struct status_thread *t, const char *user, char *body, size_t cap) {
    struct { char id[128], slug[128], version[64]; int enabled; } plugins[64];
    int count = 0;
    sqlite3_bind_text(t->plugins_of_user, 1, user, -1, SQLITE_STATIC);
    while (count < 64 && sqlite3_step(t->plugins_of_user) == SQLITE_ROW) {
        snprintf(plugins[count].id, sizeof plugins[count].id, "%s", (const char *)sqlite3_column_text(t->plugins_of_user, 0));
        snprintf(plugins[count].slug, sizeof plugins[count].slug, "%s", (const char *)sqlite3_column_text(t->plugins_of_user, 1));
        snprintf(plugins[count].version, sizeof plugins[count].version, "%s", (const char *)sqlite3_column_text(t->plugins_of_user, 2));
        plugins[count].enabled = sqlite3_column_int(t->plugins_of_user, 3);
        count++;
    }
    sqlite3_reset(t->plugins_of_user);
    int n = snprintf(body, cap, "{\"data\":{\"installed_plugins\":[");
    for (int i = 0; i < count && (size_t)n < cap; i++) {
        int expected = 0, missing = 0, modified = 0, modules = 0;
        const char *health = plugin_health(t, user, plugins[i].slug, plugins[i].id, &expected, &missing, &modified, &modules);
        n += snprintf(body + n, cap - (size_t)n,
                      "%s{\"enabled\":%s,\"modules\":%d,\"plugin_id\":\"%s\",\"plugin_slug\":\"%s\",\"status\":\"%s\",\"version\":\"%s\"}",
                      i ? "," : "", plugins[i].enabled ? "true" : "false", modules, plugins[i].id, plugins[i].slug, health,
                      plugins[i].version);
    }
    if ((size_t)n < cap) n += snprintf(body + n, cap - (size_t)n, "],\"total_count\":%d},\"message\":\"Installed plugins\",\"status\":\"success\"}", count);
    return (size_t)n < cap ? n : (int)cap - 1;
}

static int respond_available(struct status_thread *t, const char *user, char *body, size_t cap) {
    /* The catalog part is the service's cache; the per-user part is read on every request. */
    static const char catalog[] = "\"catalog\":\"the catalog entries, names, descriptions, authors, versions and dependencies of "
        "every published plugin, about a kilobyte of JSON the service keeps ready between catalog changes and copies into "
        "each answer; a reference of the same size keeps the bytes nginx and the socket carry the same for this row and the "
        "service's own. xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"";
    int n = snprintf(body, cap, "{\"data\":{%s,\"installed\":{", catalog);
    sqlite3_bind_text(t->versions_of_user, 1, user, -1, SQLITE_STATIC);
    for (int i = 0; sqlite3_step(t->versions_of_user) == SQLITE_ROW && (size_t)n < cap; i++)
        n += snprintf(body + n, cap - (size_t)n, "%s\"%s\":\"%s\"", i ? "," : "",
                      (const char *)sqlite3_column_text(t->versions_of_user, 0), (const char *)sqlite3_column_text(t->versions_of_user, 1));
    sqlite3_reset(t->versions_of_user);
    if ((size_t)n < cap) n += snprintf(body + n, cap - (size_t)n, "}},\"message\":\"Available plugins\",\"status\":\"success\"}");
    return (size_t)n < cap ? n : (int)cap - 1;
}

void status_respond(void *context, FCGX_Request *request) {
    struct status_thread *t = context;
    struct timespec started;
    clock_gettime(CLOCK_MONOTONIC, &started);
    char user[128], slug[128];
    const char *uri = FCGX_GetParam("REQUEST_URI", request->envp);
    const char *request_id = FCGX_GetParam("REQUEST_ID", request->envp);
    const char *prefix = "/bench/c-status/";
    if (!verify(FCGX_GetParam("HTTP_AUTHORIZATION", request->envp), user, sizeof user)) {
        FCGX_PutS("Status: 401 Unauthorized\r\nContent-Type: application/problem+json\r\nContent-Length: 2\r\n\r\n{}", request->out);
        return;
    }
    const char *route = uri && strncmp(uri, prefix, strlen(prefix)) == 0 ? uri + strlen(prefix) : "";
    /* {slug}/status: the stored slug spells '-' as '_', as the service's. */
    size_t n = 0;
    for (const char *p = route; *p && *p != '/' && n + 1 < sizeof slug; p++) slug[n++] = *p == '-' ? '_' : (char)tolower((unsigned char)*p);
    slug[n] = 0;

    char body[16384];
    sqlite3_step(t->begin);
    sqlite3_reset(t->begin);
    int body_len = strcmp(route, "installed") == 0 ? respond_installed(t, user, body, sizeof body)
                 : strcmp(route, "available") == 0 ? respond_available(t, user, body, sizeof body)
                 : respond_status(t, user, slug, body, sizeof body);
    sqlite3_step(t->commit);
    sqlite3_reset(t->commit);
    FCGX_FPrintF(request->out,
                 "Status: 200 OK\r\nContent-Type: application/json\r\nCache-Control: private, no-cache\r\n"
                 "X-Request-Id: %s\r\nContent-Length: %d\r\n\r\n", request_id ? request_id : "-", body_len);
    FCGX_PutStr(body, body_len, request->out);

    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[512];
    int line_len = snprintf(line, sizeof line,
        "{\"time\":%ld,\"level\":\"info\",\"msg\":\"request\",\"request_id\":\"%s\",\"user\":\"%s\",\"route\":\"%s\","
        "\"status\":200,\"duration_ms\":%.3f}\n", (long)time(NULL), request_id ? request_id : "-", user, route,
        (double)(now.tv_sec - started.tv_sec) * 1e3 + (double)(now.tv_nsec - started.tv_nsec) / 1e6);
    if (write(2, line, (size_t)line_len) < 0) {}
}
