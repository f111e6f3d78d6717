/* Symbolic links inside a preopen are followed, as in WAMR and Wasmtime:
 * relative and absolute-inside links, chains, a linked intermediate
 * directory, dangling links, loops (ELOOP after 40 links), lookupflags
 * SYMLINK_FOLLOW on the final component; opening a directory for writing
 * (EISDIR); and the errnos of path_link / path_symlink that wasi-testsuite
 * expects. The test harness makes, inside the preopen "sandbox" (besides the
 * standard fixture): models -> sub, rel -> hello.txt, chain -> rel,
 * abs_in -> <host path of sandbox>/hello.txt, abs_dir -> <...>/sub,
 * dangling -> nothere, loop1 -> loop2 -> loop1, sub/back -> ../hello.txt. */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN)

static int S;

/* Read a file through wasi-libc and print its first line. */
static void show(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("read %s: %s\n", path, errname(errno)); return; }
    char buf[64] = {0};
    if (!fgets(buf, sizeof buf, f)) buf[0] = 0;
    fclose(f);
    buf[strcspn(buf, "\n")] = 0;
    printf("read %s: \"%s\"\n", path, buf);
}

static void open_raw(const char *path, int follow, uint16_t oflags, uint64_t rights) {
    __wasi_fd_t fd = 0;
    __wasi_errno_t e = __wasi_path_open(S, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, oflags, rights, 0, 0, &fd);
    printf("open%s%s [%s]: %s\n", follow ? "" : " nofollow", oflags & __WASI_OFLAGS_DIRECTORY ? " dir" : "", path, errname(e));
    if (e == 0) __wasi_fd_close(fd);
}

static const char *kind(uint8_t t) {
    switch (t) {
    case __WASI_FILETYPE_DIRECTORY: return "dir";
    case __WASI_FILETYPE_REGULAR_FILE: return "file";
    case __WASI_FILETYPE_SYMBOLIC_LINK: return "link";
    default: return "other";
    }
}

static void stat_raw(const char *path, int follow) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(S, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &st);
    printf("stat%s [%s]: %s %s\n", follow ? "" : " nofollow", path, errname(e), e == 0 ? kind(st.filetype) : "");
}

static void follow_host_links(void) {
    printf("-- host-made links\n");
    show("sandbox/rel");
    show("sandbox/chain");
    show("sandbox/abs_in");
    show("sandbox/models/inner.txt");
    show("sandbox/abs_dir/inner.txt");
    show("sandbox/sub/back");
    show("sandbox/models/back");
    show("sandbox/models/../hello.txt");
    show("sandbox/dangling");
    show("sandbox/loop1");
    DIR *d = opendir("sandbox/models");
    int n = 0;
    if (d) {
        while (readdir(d)) n++;
        closedir(d);
    }
    printf("opendir sandbox/models: %s, %d entries\n", LIBC_RESULT(d != NULL), n);
    struct stat st;
    printf("libc stat dangling: %s\n", LIBC_RESULT(stat("sandbox/dangling", &st) == 0));
    printf("libc lstat dangling: %s link=%d\n", LIBC_RESULT(lstat("sandbox/dangling", &st) == 0), S_ISLNK(st.st_mode));
    printf("libc stat models: %s dir=%d\n", LIBC_RESULT(stat("sandbox/models", &st) == 0), S_ISDIR(st.st_mode));
    printf("libc lstat models: %s link=%d\n", LIBC_RESULT(lstat("sandbox/models", &st) == 0), S_ISLNK(st.st_mode));
    printf("libc open rel O_NOFOLLOW: %s\n", LIBC_RESULT(open("sandbox/rel", O_RDONLY | O_NOFOLLOW) >= 0));
    stat_raw("rel", 1);
    stat_raw("rel", 0);
    stat_raw("models", 1);
    stat_raw("models", 0);
    stat_raw("models/", 0);
    stat_raw("rel/", 0);
    stat_raw("dangling", 1);
    stat_raw("dangling", 0);
    stat_raw("loop1", 1);
    stat_raw("loop1", 0);
    stat_raw("loop1/x", 0);
    open_raw("rel", 1, 0, R_READ);
    open_raw("rel", 0, 0, R_READ);
    open_raw("models", 0, __WASI_OFLAGS_DIRECTORY, R_READ);
    open_raw("models", 1, __WASI_OFLAGS_DIRECTORY, R_READ);
    open_raw("rel", 1, __WASI_OFLAGS_DIRECTORY, R_READ);
    open_raw("dangling", 0, 0, R_READ);
    open_raw("dangling", 1, 0, R_READ);
    open_raw("dangling", 0, __WASI_OFLAGS_DIRECTORY, R_READ);
    open_raw("loop1", 1, 0, R_READ);
    open_raw("loop1", 0, 0, R_READ);
    char buf[64] = {0};
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_path_readlink(S, "models", (uint8_t *)buf, sizeof buf, &used);
    printf("readlink models: %s [%.*s]\n", errname(e), (int)used, buf);
    e = __wasi_path_readlink(S, "models/back", (uint8_t *)buf, sizeof buf, &used);
    printf("readlink models/back: %s [%.*s]\n", errname(e), (int)used, buf);
}

static void guest_links(void) {
    printf("-- guest-made links\n");
    printf("symlink hello.txt g1: %s\n", errname(__wasi_path_symlink("hello.txt", S, "g1")));
    printf("symlink g1 g2: %s\n", errname(__wasi_path_symlink("g1", S, "g2")));
    printf("symlink sub gdir: %s\n", errname(__wasi_path_symlink("sub", S, "gdir")));
    printf("symlink ../hello.txt sub/gup: %s\n", errname(__wasi_path_symlink("../hello.txt", S, "sub/gup")));
    show("sandbox/g2");
    show("sandbox/gdir/inner.txt");
    show("sandbox/gdir/gup");
    /* 41 links in a row: following 40 is fine, 41 is ELOOP. */
    char name[16], target[16];
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof name, "c%d", i);
        snprintf(target, sizeof target, "c%d", i + 1);
        __wasi_path_symlink(target, S, name);
    }
    FILE *f = fopen("sandbox/c41", "w");
    fputs("end of chain\n", f);
    fclose(f);
    show("sandbox/c1");
    show("sandbox/c0");
    /* O_CREAT through a dangling link creates its target; O_EXCL refuses the link. */
    printf("symlink made_by_link gd: %s\n", errname(__wasi_path_symlink("made_by_link", S, "gd")));
    printf("libc open gd O_CREAT|O_EXCL: %s\n", LIBC_RESULT(open("sandbox/gd", O_WRONLY | O_CREAT | O_EXCL, 0644) >= 0));
    int fd = open("sandbox/gd", O_WRONLY | O_CREAT, 0644);
    printf("libc open gd O_CREAT: %s\n", LIBC_RESULT(fd >= 0));
    if (fd >= 0) close(fd);
    struct stat st;
    printf("made_by_link exists: %s\n", LIBC_RESULT(lstat("sandbox/made_by_link", &st) == 0 && S_ISREG(st.st_mode)));
    /* Times: through the link with SYMLINK_FOLLOW, of the link itself without. */
    __wasi_filestat_t before, link_st, after;
    __wasi_path_filestat_get(S, 0, "hello.txt", &before);
    __wasi_errno_t e = __wasi_path_filestat_set_times(S, 0, "g1", 0, 1000000000ull, __WASI_FSTFLAGS_MTIM);
    __wasi_path_filestat_get(S, 0, "g1", &link_st);
    __wasi_path_filestat_get(S, 0, "hello.txt", &after);
    printf("set_times nofollow g1: %s link_mtime=%llu target_unchanged=%d\n", errname(e),
           (unsigned long long)link_st.mtim, before.mtim == after.mtim);
    e = __wasi_path_filestat_set_times(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "g2", 0, 2000000000ull, __WASI_FSTFLAGS_MTIM);
    __wasi_path_filestat_get(S, 0, "hello.txt", &after);
    printf("set_times follow g2: %s target_mtime=%llu\n", errname(e), (unsigned long long)after.mtim);
    /* path_link: a link itself, or what it leads to with SYMLINK_FOLLOW. */
    printf("link g1 hard_link: %s\n", errname(__wasi_path_link(S, 0, "g1", S, "hard_link")));
    stat_raw("hard_link", 0);
    printf("link follow g2 hard_file: %s\n", errname(__wasi_path_link(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "g2", S, "hard_file")));
    stat_raw("hard_file", 0);
    printf("link follow dangling x: %s\n", errname(__wasi_path_link(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "dangling", S, "x")));
    printf("link follow gdir x: %s\n", errname(__wasi_path_link(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "gdir", S, "x")));
    printf("link follow loop1 x: %s\n", errname(__wasi_path_link(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "loop1", S, "x")));
    printf("link loop1 loop_link: %s\n", errname(__wasi_path_link(S, 0, "loop1", S, "loop_link")));
    printf("unlink g2: %s\n", errname(__wasi_path_unlink_file(S, "g2")));
    show("sandbox/hello.txt");
}

static void directories_for_writing(void) {
    printf("-- directories opened for writing\n");
    int fd = open("sandbox", O_RDWR | O_DIRECTORY);
    printf("open sandbox O_RDWR|O_DIRECTORY: %s\n", LIBC_RESULT(fd >= 0));
    fd = open("sandbox/sub", O_WRONLY | O_DIRECTORY);
    printf("open sandbox/sub O_WRONLY|O_DIRECTORY: %s\n", LIBC_RESULT(fd >= 0));
    fd = open("sandbox/sub", O_WRONLY);
    printf("open sandbox/sub O_WRONLY: %s\n", LIBC_RESULT(fd >= 0));
    fd = open("sandbox/models", O_RDWR);
    printf("open sandbox/models O_RDWR: %s\n", LIBC_RESULT(fd >= 0));
    fd = open("sandbox", O_RDONLY | O_DIRECTORY);
    printf("open sandbox O_RDONLY|O_DIRECTORY: %s\n", LIBC_RESULT(fd >= 0));
    if (fd >= 0) close(fd);
    fd = open("sandbox/sub", O_RDONLY);
    printf("open sandbox/sub O_RDONLY: %s\n", LIBC_RESULT(fd >= 0));
    if (fd >= 0) close(fd);
    DIR *d = opendir("sandbox");
    printf("opendir sandbox: %s\n", LIBC_RESULT(d != NULL));
    if (d) closedir(d);
    open_raw(".", 0, __WASI_OFLAGS_DIRECTORY, R_READ | __WASI_RIGHTS_FD_WRITE);
    open_raw("sub", 0, __WASI_OFLAGS_DIRECTORY, R_READ | __WASI_RIGHTS_FD_FILESTAT_SET_SIZE);
    open_raw("sub", 0, __WASI_OFLAGS_DIRECTORY, R_READ | __WASI_RIGHTS_PATH_CREATE_FILE);
    open_raw("sub", 0, __WASI_OFLAGS_DIRECTORY, 0);
    FILE *f = fopen("sandbox/sub", "w");
    printf("fopen sandbox/sub w: %s\n", LIBC_RESULT(f != NULL));
}

static void link_errnos(void) {
    printf("-- path_link / path_symlink errnos\n");
    __wasi_path_create_directory(S, "e");
    FILE *f = fopen("sandbox/e/file", "w");
    fclose(f);
    __wasi_path_create_directory(S, "e/dir");
    printf("symlink to existing file: %s\n", errname(__wasi_path_symlink("x", S, "e/file")));
    printf("symlink to existing dir: %s\n", errname(__wasi_path_symlink("x", S, "e/dir")));
    printf("symlink to existing link: %s\n", errname(__wasi_path_symlink("x", S, "rel")));
    printf("symlink new/: %s\n", errname(__wasi_path_symlink("x", S, "e/new/")));
    printf("symlink dir/: %s\n", errname(__wasi_path_symlink("x", S, "e/dir/")));
    printf("symlink file/: %s\n", errname(__wasi_path_symlink("x", S, "e/file/")));
    printf("symlink .: %s\n", errname(__wasi_path_symlink("x", S, ".")));
    printf("symlink absolute target: %s\n", errname(__wasi_path_symlink("/", S, "e/abs")));
    printf("symlink dangling ok: %s\n", errname(__wasi_path_symlink("nowhere", S, "e/dang")));
    printf("symlink self loop: %s\n", errname(__wasi_path_symlink("self", S, "e/self")));
    open_raw("e/self", 0, 0, R_READ);
    open_raw("e/self", 1, 0, R_READ);
    printf("link file file: %s\n", errname(__wasi_path_link(S, 0, "e/file", S, "e/file")));
    printf("link file dir: %s\n", errname(__wasi_path_link(S, 0, "e/file", S, "e/dir")));
    printf("link file dang: %s\n", errname(__wasi_path_link(S, 0, "e/file", S, "e/dang")));
    printf("link dir x: %s\n", errname(__wasi_path_link(S, 0, "e/dir", S, "e/x")));
    printf("link file new/: %s\n", errname(__wasi_path_link(S, 0, "e/file", S, "e/new/")));
    printf("link file/ x: %s\n", errname(__wasi_path_link(S, 0, "e/file/", S, "e/x")));
    printf("link missing x: %s\n", errname(__wasi_path_link(S, 0, "e/missing", S, "e/x")));
    printf("link dang (nofollow) x: %s\n", errname(__wasi_path_link(S, 0, "e/dang", S, "e/x")));
    printf("link self (nofollow) y: %s\n", errname(__wasi_path_link(S, 0, "e/self", S, "e/y")));
    printf("link file ../out: %s\n", errname(__wasi_path_link(S, 0, "e/file", S, "../out")));
    printf("unlink file/: %s\n", errname(__wasi_path_unlink_file(S, "e/file/")));
    printf("unlink dir/: %s\n", errname(__wasi_path_unlink_file(S, "e/dir/")));
    printf("unlink dang/: %s\n", errname(__wasi_path_unlink_file(S, "e/dang/")));
}

int main(void) {
    S = preopen_fd("sandbox");
    printf("preopen found: %d\n", S > 0);
    follow_host_links();
    guest_links();
    directories_for_writing();
    link_errnos();
    return 0;
}
