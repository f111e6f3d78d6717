/* Hostile paths: every way out of a preopen must be refused (NOTCAPABLE,
 * or the error of acting on the link itself); links are followed only while
 * they stay inside. The test harness creates, inside the preopen "sandbox":
 * hello.txt, sub/inner.txt, toroot -> /, up -> .., abs_link -> /etc/passwd,
 * sub/up2 -> ../..; and the link escapes dir_out -> ../outside,
 * abs_out -> <host>/outside/secret.txt, abs_outdir -> <host>/outside,
 * abs_sibling -> <host>/sandbox_evil (a sibling whose name starts like the
 * preopen's), in_then_out -> sub/up2, sub/abs_up -> <host>/sandbox/..; and
 * outside it: outside/secret.txt, sandbox_evil/secret.txt. It checks
 * afterwards that nothing outside the preopen changed. Preopens: "sandbox",
 * "/mapped" (the same directory through --map-dir) and "ro" (read-only). */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

#define R_READ (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_TELL | __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR | __WASI_RIGHTS_PATH_OPEN)
#define R_WRITE (R_READ | __WASI_RIGHTS_FD_WRITE)

static void try_open(const char *label, int dir, const char *path, int follow, uint16_t oflags, uint64_t rights) {
    __wasi_fd_t fd = 0;
    __wasi_errno_t e = __wasi_path_open(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, oflags, rights,
                                        rights, 0, &fd);
    printf("%s open%s [%s]: %s\n", label, follow ? "" : " nofollow", path, errname(e));
    if (e == 0) __wasi_fd_close(fd);
}

static void try_stat(const char *label, int dir, const char *path, int follow) {
    __wasi_filestat_t st;
    __wasi_errno_t e = __wasi_path_filestat_get(dir, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0, path, &st);
    printf("%s stat%s [%s]: %s\n", label, follow ? "" : " nofollow", path, errname(e));
}

int main(void) {
    int S = preopen_fd("sandbox"), M = preopen_fd("/mapped"), RO = preopen_fd("ro");
    printf("preopens found: %d %d %d\n", S > 0, M > 0, RO > 0);

    const char *escapes[] = {
        "../outside/secret.txt", "/etc/passwd", "/", "..", "../", "./..", "sub/../..", "sub/../../",
        "sub/../../outside/secret.txt", "sub/./../../outside/secret.txt", "sub//..//..//outside",
        "toroot/etc/passwd", "toroot", "toroot/", "toroot/.", "up/outside/secret.txt", "up", "up/",
        "abs_link", "sub/up2/outside/secret.txt", "sub/up2", "/sandbox/hello.txt",
        "dir_out/secret.txt", "dir_out", "abs_out", "abs_outdir/secret.txt", "abs_outdir/",
        "abs_sibling/secret.txt", "in_then_out/outside/secret.txt", "in_then_out", "sub/abs_up/outside/secret.txt",
        "sub/abs_up", "sub/../dir_out/secret.txt",
    };
    for (unsigned i = 0; i < sizeof escapes / sizeof escapes[0]; i++) try_open("S", S, escapes[i], 1, 0, R_READ);
    try_open("S", S, "toroot", 0, 0, R_READ);
    try_open("S", S, "abs_link", 0, 0, R_READ);
    try_open("S", S, "toroot", 0, __WASI_OFLAGS_DIRECTORY, R_READ);

    /* Trailing slashes and dots on things that are not directories. */
    try_open("S", S, "hello.txt/", 1, 0, R_READ);
    try_open("S", S, "hello.txt/.", 1, 0, R_READ);
    try_open("S", S, "hello.txt/..", 1, 0, R_READ);
    try_open("S", S, "sub/", 1, 0, R_READ);
    try_open("S", S, "sub/.", 1, 0, R_READ);
    try_open("S", S, "sub/..", 1, 0, R_READ);
    try_open("S", S, ".", 1, 0, R_READ);
    try_open("S", S, "", 1, 0, R_READ);
    static char longpath[9000];
    for (int i = 0; i < 4400; i++) memcpy(longpath + 2 * i, "a/", 2);
    {
        __wasi_fd_t fd = 0;
        __wasi_errno_t e = __wasi_path_open(S, 1, longpath, 0, R_READ, R_READ, 0, &fd);
        printf("S open [a/ x 4400]: %s\n", errname(e));
    }

    /* Creating through an escape. */
    try_open("S", S, "../created.txt", 1, __WASI_OFLAGS_CREAT, R_WRITE);
    try_open("S", S, "toroot/tmp/ember_escape.txt", 1, __WASI_OFLAGS_CREAT, R_WRITE);
    try_open("S", S, "abs_link", 0, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_WRITE);
    try_open("S", S, "abs_link", 1, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC, R_WRITE);
    try_open("S", S, "up/outside/secret.txt", 1, __WASI_OFLAGS_TRUNC, R_WRITE);
    try_open("S", S, "dir_out/created.txt", 1, __WASI_OFLAGS_CREAT, R_WRITE);
    try_open("S", S, "abs_outdir/created.txt", 1, __WASI_OFLAGS_CREAT, R_WRITE);
    try_open("S", S, "abs_out", 1, __WASI_OFLAGS_TRUNC, R_WRITE);
    try_open("S", S, "abs_sibling/created.txt", 1, __WASI_OFLAGS_CREAT, R_WRITE);

    try_stat("S", S, "../outside/secret.txt", 1);
    try_stat("S", S, "../outside/secret.txt", 0);
    try_stat("S", S, "toroot", 1);
    try_stat("S", S, "toroot", 0);
    try_stat("S", S, "toroot/", 0);
    try_stat("S", S, "toroot/etc", 0);
    try_stat("S", S, "abs_link", 1);
    try_stat("S", S, "hello.txt/", 0);
    try_stat("S", S, "sub/../../", 0);

    printf("mkdir ../escape_dir: %s\n", errname(__wasi_path_create_directory(S, "../escape_dir")));
    printf("mkdir sub/../../escape_dir: %s\n", errname(__wasi_path_create_directory(S, "sub/../../escape_dir")));
    printf("mkdir toroot/tmp/ember_escape_dir: %s\n", errname(__wasi_path_create_directory(S, "toroot/tmp/ember_escape_dir")));
    printf("mkdir /tmp/ember_escape_dir: %s\n", errname(__wasi_path_create_directory(S, "/tmp/ember_escape_dir")));
    printf("unlink ../outside/secret.txt: %s\n", errname(__wasi_path_unlink_file(S, "../outside/secret.txt")));
    printf("unlink toroot/etc/passwd: %s\n", errname(__wasi_path_unlink_file(S, "toroot/etc/passwd")));
    printf("unlink up/outside/secret.txt: %s\n", errname(__wasi_path_unlink_file(S, "up/outside/secret.txt")));
    printf("unlink toroot/: %s\n", errname(__wasi_path_unlink_file(S, "toroot/")));
    printf("mkdir dir_out/d: %s\n", errname(__wasi_path_create_directory(S, "dir_out/d")));
    printf("mkdir abs_outdir/d: %s\n", errname(__wasi_path_create_directory(S, "abs_outdir/d")));
    printf("unlink dir_out/secret.txt: %s\n", errname(__wasi_path_unlink_file(S, "dir_out/secret.txt")));
    printf("unlink abs_sibling/secret.txt: %s\n", errname(__wasi_path_unlink_file(S, "abs_sibling/secret.txt")));
    printf("rename abs_outdir/secret.txt got.txt: %s\n", errname(__wasi_path_rename(S, "abs_outdir/secret.txt", S, "got.txt")));
    printf("rename hello.txt in_then_out/outside/x: %s\n", errname(__wasi_path_rename(S, "hello.txt", S, "in_then_out/outside/x")));
    printf("link (follow) abs_out got.txt: %s\n", errname(__wasi_path_link(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_out", S, "got.txt")));
    printf("link hello.txt dir_out/hl.txt: %s\n", errname(__wasi_path_link(S, 0, "hello.txt", S, "dir_out/hl.txt")));
    printf("set_times (follow) abs_out: %s\n", errname(__wasi_path_filestat_set_times(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_out", 0, 0, __WASI_FSTFLAGS_MTIM)));
    printf("set_times sub/abs_up/outside/secret.txt: %s\n", errname(__wasi_path_filestat_set_times(S, 0, "sub/abs_up/outside/secret.txt", 0, 0, __WASI_FSTFLAGS_MTIM)));
    printf("symlink in dir_out: %s\n", errname(__wasi_path_symlink("x", S, "dir_out/evil")));
    printf("rmdir ../outside: %s\n", errname(__wasi_path_remove_directory(S, "../outside")));
    printf("rmdir toroot/tmp: %s\n", errname(__wasi_path_remove_directory(S, "toroot/tmp")));
    printf("rmdir .: %s\n", errname(__wasi_path_remove_directory(S, ".")));
    printf("rename hello.txt ../stolen.txt: %s\n", errname(__wasi_path_rename(S, "hello.txt", S, "../stolen.txt")));
    printf("rename ../outside/secret.txt got.txt: %s\n", errname(__wasi_path_rename(S, "../outside/secret.txt", S, "got.txt")));
    printf("rename toroot/etc/passwd got.txt: %s\n", errname(__wasi_path_rename(S, "toroot/etc/passwd", S, "got.txt")));
    printf("rename toroot/ x/: %s\n", errname(__wasi_path_rename(S, "toroot/", S, "x/")));
    printf("link ../outside/secret.txt got.txt: %s\n", errname(__wasi_path_link(S, 0, "../outside/secret.txt", S, "got.txt")));
    printf("link toroot/etc/passwd got.txt: %s\n", errname(__wasi_path_link(S, 0, "toroot/etc/passwd", S, "got.txt")));
    printf("link abs_link (follow) got.txt: %s\n", errname(__wasi_path_link(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_link", S, "got.txt")));
    printf("link hello.txt ../hl.txt: %s\n", errname(__wasi_path_link(S, 0, "hello.txt", S, "../hl.txt")));
    printf("set_times ../outside/secret.txt: %s\n", errname(__wasi_path_filestat_set_times(S, 0, "../outside/secret.txt", 0, 0, __WASI_FSTFLAGS_MTIM)));
    printf("set_times abs_link (follow): %s\n", errname(__wasi_path_filestat_set_times(S, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "abs_link", 0, 0, __WASI_FSTFLAGS_MTIM)));

    /* Guest-made symlinks: escaping targets refused; inside ones allowed and followed. */
    printf("symlink /etc/passwd evil1: %s\n", errname(__wasi_path_symlink("/etc/passwd", S, "evil1")));
    printf("symlink ../outside/secret.txt evil2: %s\n", errname(__wasi_path_symlink("../outside/secret.txt", S, "evil2")));
    printf("symlink sub/../../outside evil3: %s\n", errname(__wasi_path_symlink("sub/../../outside", S, "evil3")));
    printf("symlink ../../x sub/evil4: %s\n", errname(__wasi_path_symlink("../../x", S, "sub/evil4")));
    printf("symlink ../hello.txt sub/ok_up: %s\n", errname(__wasi_path_symlink("../hello.txt", S, "sub/ok_up")));
    printf("symlink sub ok_link: %s\n", errname(__wasi_path_symlink("sub", S, "ok_link")));
    printf("symlink sub ../evil5: %s\n", errname(__wasi_path_symlink("sub", S, "../evil5")));
    try_open("S", S, "ok_link/inner.txt", 1, 0, R_READ);
    try_open("S", S, "sub/ok_up", 1, 0, R_READ);
    try_open("S", S, "sub/inner.txt", 1, 0, R_READ);
    char target[64] = {0};
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_path_readlink(S, "toroot", (uint8_t *)target, sizeof target, &used);
    printf("readlink toroot: %s [%.*s]\n", errname(e), (int)used, target);

    /* A directory opened beneath the preopen is itself the boundary. */
    __wasi_fd_t sub = 0;
    e = __wasi_path_open(S, 0, "sub", __WASI_OFLAGS_DIRECTORY, R_READ | __WASI_RIGHTS_PATH_SYMLINK, R_READ, 0, &sub);
    printf("open sub: %s\n", errname(e));
    try_open("sub", sub, "inner.txt", 1, 0, R_READ);
    try_open("sub", sub, "../hello.txt", 1, 0, R_READ);
    try_open("sub", sub, "../../outside/secret.txt", 1, 0, R_READ);
    printf("symlink ../hello.txt from sub fd: %s\n", errname(__wasi_path_symlink("../hello.txt", sub, "ok_up2")));
    printf("symlink ../../x from sub fd: %s\n", errname(__wasi_path_symlink("../../x", sub, "evil6")));
    /* Not a directory as the base. */
    try_open("stdout", 1, "hello.txt", 1, 0, R_READ);
    try_open("bad", 99, "hello.txt", 1, 0, R_READ);

    /* The --map-dir'd preopen takes relative paths only. */
    try_open("M", M, "hello.txt", 1, 0, R_READ);
    try_open("M", M, "/mapped/hello.txt", 1, 0, R_READ);
    try_open("M", M, "/mapped/../outside/secret.txt", 1, 0, R_READ);
    try_open("M", M, "../outside/secret.txt", 1, 0, R_READ);

    /* Read-only preopen. */
    __wasi_fdstat_t fds;
    __wasi_fd_fdstat_get(RO, &fds);
    printf("ro rights: create_file=%d write_inherited=%d open=%d\n",
           (fds.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE) != 0,
           (fds.fs_rights_inheriting & __WASI_RIGHTS_FD_WRITE) != 0,
           (fds.fs_rights_base & __WASI_RIGHTS_PATH_OPEN) != 0);
    try_open("RO", RO, "data.txt", 1, 0, R_READ);
    try_open("RO", RO, "new.txt", 1, __WASI_OFLAGS_CREAT, R_WRITE);
    try_open("RO", RO, "data.txt", 1, __WASI_OFLAGS_TRUNC, R_WRITE);
    __wasi_fd_t w = 0;
    e = __wasi_path_open(RO, 0, "data.txt", 0, R_WRITE, R_WRITE, 0, &w);
    printf("RO open asking for FD_WRITE: %s\n", errname(e));
    /* Opened the way wasi-libc does (rights masked by what the dir passes on). */
    e = __wasi_path_open(RO, 0, "data.txt", 0, R_WRITE & fds.fs_rights_inheriting, fds.fs_rights_inheriting, 0, &w);
    __wasi_ciovec_t iov = {(const uint8_t *)"X", 1};
    __wasi_size_t nw = 0;
    printf("RO open masked: %s; write: %s\n", errname(e), errname(__wasi_fd_write(w, &iov, 1, &nw)));
    printf("RO regain write right: %s\n", errname(__wasi_fd_fdstat_set_rights(w, R_WRITE, 0)));
    __wasi_fd_close(w);
    printf("RO mkdir: %s\n", errname(__wasi_path_create_directory(RO, "d")));
    printf("RO unlink: %s\n", errname(__wasi_path_unlink_file(RO, "data.txt")));
    printf("RO rename: %s\n", errname(__wasi_path_rename(RO, "data.txt", RO, "moved.txt")));
    printf("RO rename into sandbox: %s\n", errname(__wasi_path_rename(RO, "data.txt", S, "moved.txt")));
    printf("RO symlink: %s\n", errname(__wasi_path_symlink("data.txt", RO, "l")));
    printf("RO set_times: %s\n", errname(__wasi_path_filestat_set_times(RO, 0, "data.txt", 0, 0, __WASI_FSTFLAGS_MTIM)));
    printf("RO link out: %s\n", errname(__wasi_path_link(RO, 0, "data.txt", S, "ro_link.txt")));

    /* The same through wasi-libc. */
    printf("libc fopen /etc/passwd: %s\n", LIBC_RESULT(fopen("/etc/passwd", "r") != NULL));
    printf("libc fopen ../outside/secret.txt: %s\n", LIBC_RESULT(fopen("../outside/secret.txt", "r") != NULL));
    printf("libc fopen sandbox/../outside/secret.txt: %s\n", LIBC_RESULT(fopen("sandbox/../outside/secret.txt", "r") != NULL));
    printf("libc fopen /mapped/../outside/secret.txt: %s\n", LIBC_RESULT(fopen("/mapped/../outside/secret.txt", "r") != NULL));
    printf("libc fopen sandbox/toroot/etc/passwd: %s\n", LIBC_RESULT(fopen("sandbox/toroot/etc/passwd", "r") != NULL));
    printf("libc fopen sandbox/abs_out: %s\n", LIBC_RESULT(fopen("sandbox/abs_out", "r") != NULL));
    printf("libc fopen sandbox/dir_out/secret.txt w: %s\n", LIBC_RESULT(fopen("sandbox/dir_out/secret.txt", "w") != NULL));
    printf("libc opendir sandbox/abs_outdir: %s\n", LIBC_RESULT(opendir("sandbox/abs_outdir") != NULL));
    printf("libc fopen /mapped/hello.txt: %s\n", LIBC_RESULT(fopen("/mapped/hello.txt", "r") != NULL));
    printf("libc opendir /: %s\n", LIBC_RESULT(opendir("/") != NULL));
    printf("libc fopen ro/data.txt w: %s\n", LIBC_RESULT(fopen("ro/data.txt", "w") != NULL));
    printf("libc fopen ro/data.txt r: %s\n", LIBC_RESULT(fopen("ro/data.txt", "r") != NULL));
    return 0;
}
