/* rename, unlink, rmdir, hard links and in-sandbox symlinks. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static void touch(const char *p, const char *content) {
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, content, strlen(content));
    close(fd);
}

static const char *exists(const char *p) {
    struct stat st;
    return lstat(p, &st) == 0 ? "yes" : errname(errno);
}

int main(void) {
    touch("sandbox/f1", "one");
    printf("rename f1 f2: %s\n", LIBC_RESULT(rename("sandbox/f1", "sandbox/f2") == 0));
    printf("  f1: %s, f2: %s\n", exists("sandbox/f1"), exists("sandbox/f2"));
    mkdir("sandbox/dir", 0755);
    printf("rename into dir: %s\n", LIBC_RESULT(rename("sandbox/f2", "sandbox/dir/f3") == 0));
    touch("sandbox/other", "other");
    printf("rename over file: %s\n", LIBC_RESULT(rename("sandbox/other", "sandbox/dir/f3") == 0));
    char buf[16] = {0};
    int fd = open("sandbox/dir/f3", O_RDONLY);
    read(fd, buf, sizeof buf - 1);
    close(fd);
    printf("  dir/f3 now: %s, other: %s\n", buf, exists("sandbox/other"));
    printf("rename missing: %s\n", LIBC_RESULT(rename("sandbox/nothing", "sandbox/x") == 0));
    printf("rename dir: %s\n", LIBC_RESULT(rename("sandbox/dir", "sandbox/dir2") == 0));
    mkdir("sandbox/full", 0755);
    touch("sandbox/full/x", "x");
    printf("rename dir onto non-empty dir: %s\n", LIBC_RESULT(rename("sandbox/dir2", "sandbox/full") == 0));
    printf("rename file with trailing slash: %s\n", LIBC_RESULT(rename("sandbox/dir2/f3/", "sandbox/f4") == 0));
    printf("rename dir with trailing slash: %s\n", LIBC_RESULT(rename("sandbox/dir2/", "sandbox/dir3/") == 0));

    printf("unlink file: %s\n", LIBC_RESULT(unlink("sandbox/full/x") == 0));
    printf("unlink again: %s\n", LIBC_RESULT(unlink("sandbox/full/x") == 0));
    printf("unlink dir: %s\n", LIBC_RESULT(unlink("sandbox/full") == 0));
    printf("unlink file with trailing slash: %s\n", LIBC_RESULT(unlink("sandbox/dir3/f3/") == 0));
    printf("  dir3/f3: %s\n", exists("sandbox/dir3/f3"));
    printf("rmdir non-empty: %s\n", LIBC_RESULT(rmdir("sandbox/dir3") == 0));
    printf("rmdir file: %s\n", LIBC_RESULT(rmdir("sandbox/dir3/f3") == 0));
    printf("rmdir empty: %s\n", LIBC_RESULT(rmdir("sandbox/full") == 0));
    printf("  full: %s\n", exists("sandbox/full"));

    struct stat st;
    printf("link: %s\n", LIBC_RESULT(link("sandbox/dir3/f3", "sandbox/hard") == 0));
    stat("sandbox/hard", &st);
    printf("  nlink=%d size=%lld\n", (int)st.st_nlink, (long long)st.st_size);
    printf("link dir: %s\n", LIBC_RESULT(link("sandbox/dir3", "sandbox/dirlink") == 0));
    printf("link onto existing: %s\n", LIBC_RESULT(link("sandbox/hard", "sandbox/dir3/f3") == 0));

    printf("symlink: %s\n", LIBC_RESULT(symlink("dir3/f3", "sandbox/sl") == 0));
    char target[64] = {0};
    ssize_t n = readlink("sandbox/sl", target, sizeof target);
    printf("readlink: %zd [%s]\n", n, n > 0 ? target : "");
    memset(target, 0, sizeof target);
    n = readlink("sandbox/sl", target, 3);
    printf("readlink short buffer: %zd [%s]\n", n, target);
    printf("readlink of a file: %s\n", LIBC_RESULT(readlink("sandbox/hard", target, sizeof target) >= 0));
    printf("lstat symlink: %s link=%d\n", LIBC_RESULT(lstat("sandbox/sl", &st) == 0), S_ISLNK(st.st_mode));
    printf("stat through symlink: %s reg=%d\n", LIBC_RESULT(stat("sandbox/sl", &st) == 0), S_ISREG(st.st_mode));
    printf("open through symlink: %s\n", LIBC_RESULT(open("sandbox/sl", O_RDONLY) >= 0));
    printf("open symlink nofollow: %s\n", LIBC_RESULT(open("sandbox/sl", O_RDONLY | O_NOFOLLOW) >= 0));
    printf("symlink onto existing: %s\n", LIBC_RESULT(symlink("x", "sandbox/hard") == 0));
    printf("rename symlink: %s\n", LIBC_RESULT(rename("sandbox/sl", "sandbox/sl2") == 0));
    printf("unlink symlink: %s\n", LIBC_RESULT(unlink("sandbox/sl2") == 0));
    printf("  dir3/f3 still: %s\n", exists("sandbox/dir3/f3"));
    return 0;
}
