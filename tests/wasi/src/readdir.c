/* Directory listing: a few entries with types, many entries across several
 * fd_readdir calls, rewinddir, and a raw fd_readdir with a tiny buffer. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int list(const char *path, int print) {
    DIR *d = opendir(path);
    if (!d) { printf("opendir %s: %s\n", path, errname(errno)); return -1; }
    char *names[512];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 512) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *s = malloc(strlen(e->d_name) + 8);
        sprintf(s, "%s %s", e->d_name, e->d_type == DT_DIR ? "dir" : e->d_type == DT_REG ? "file" : e->d_type == DT_LNK ? "link" : "other");
        names[n++] = s;
    }
    rewinddir(d);
    int again = 0;
    while ((e = readdir(d))) again++;
    closedir(d);
    qsort(names, n, sizeof names[0], cmp);
    if (print)
        for (int i = 0; i < n; i++) printf("  %s\n", names[i]);
    for (int i = 0; i < n; i++) free(names[i]);
    printf("%s: %d entries, %d after rewinddir (with . and ..)\n", path, n, again);
    return n;
}

int main(void) {
    mkdir("sandbox/list", 0755);
    close(open("sandbox/list/b.txt", O_CREAT | O_WRONLY, 0644));
    close(open("sandbox/list/a.txt", O_CREAT | O_WRONLY, 0644));
    mkdir("sandbox/list/c", 0755);
    symlink("a.txt", "sandbox/list/l");
    list("sandbox/list", 1);

    mkdir("sandbox/many", 0755);
    for (int i = 0; i < 300; i++) {
        char p[128];
        snprintf(p, sizeof p, "sandbox/many/file_with_a_rather_long_name_number_%04d", i);
        close(open(p, O_CREAT | O_WRONLY, 0644));
    }
    list("sandbox/many", 0);

    /* A 30-byte buffer holds one 24-byte header and part of a name: the
     * call fills it completely, telling the caller to retry bigger. */
    int fd = open("sandbox/list", O_RDONLY | O_DIRECTORY);
    uint8_t small[30];
    __wasi_size_t used = 0;
    __wasi_errno_t err = __wasi_fd_readdir(fd, small, sizeof small, 0, &used);
    printf("small readdir: %s used=%u\n", errname(err), (unsigned)used);
    uint8_t big[4096];
    err = __wasi_fd_readdir(fd, big, sizeof big, 1000000, &used);
    printf("readdir past the end: %s used=%u\n", errname(err), (unsigned)used);
    printf("readdir of a file: %s\n",
           errname(__wasi_fd_readdir(open("sandbox/list/a.txt", O_RDONLY), big, sizeof big, 0, &used)));
    printf("opendir of a file: %s\n", LIBC_RESULT(opendir("sandbox/list/a.txt") != NULL));
    printf("opendir missing: %s\n", LIBC_RESULT(opendir("sandbox/nope") != NULL));
    close(fd);
    return 0;
}
