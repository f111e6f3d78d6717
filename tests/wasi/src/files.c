/* Files in a preopened directory: create, write, read, seek/tell, pread/pwrite,
 * truncate, allocate, advise, sync, times, flags, rights, renumber, prestat. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common.h"

static void show_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("  %s: %s\n", path, errname(errno)); return; }
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    printf("  %s = \"", path);
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n') printf("\\n");
        else if (buf[i] == 0) printf("\\0");
        else putchar(buf[i]);
    }
    printf("\"\n");
}

int main(void) {
    /* The preopens, as fd_prestat_* tell them. */
    for (int fd = 3;; fd++) {
        __wasi_prestat_t ps;
        __wasi_errno_t e = __wasi_fd_prestat_get(fd, &ps);
        if (e != 0) { printf("prestat fd %d: %s\n", fd, errname(e)); break; }
        char name[64] = {0};
        __wasi_errno_t e2 = __wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len);
        printf("preopen fd %d: %s [%s]\n", fd, errname(e2), name);
        if (ps.u.dir.pr_name_len > 0)
            printf("  dir_name with short buffer: %s\n",
                   errname(__wasi_fd_prestat_dir_name(fd, (uint8_t *)name, ps.u.dir.pr_name_len - 1)));
    }

    show_file("sandbox/hello.txt");
    show_file("/data/hello.txt");

    FILE *f = fopen("sandbox/new.txt", "w");
    printf("fopen w: %s\n", LIBC_RESULT(f != NULL));
    fprintf(f, "abc\n123\n");
    printf("fclose: %s\n", LIBC_RESULT(fclose(f) == 0));
    struct stat st;
    printf("stat: %s size=%lld reg=%d\n", LIBC_RESULT(stat("sandbox/new.txt", &st) == 0),
           (long long)st.st_size, S_ISREG(st.st_mode));

    int fd = open("sandbox/new.txt", O_RDWR);
    printf("open rdwr: %s\n", LIBC_RESULT(fd >= 0));
    char buf[64] = {0};
    printf("read 3: %zd [%.3s]\n", read(fd, buf, 3), buf);
    printf("lseek cur: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("pwrite: %zd\n", pwrite(fd, "XY", 2, 4));
    memset(buf, 0, sizeof buf);
    printf("pread: %zd [%s]\n", pread(fd, buf, 3, 4), buf);
    printf("position after pread/pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    __wasi_filesize_t pos = 0;
    printf("fd_tell: %s %llu\n", errname(__wasi_fd_tell(fd, &pos)), (unsigned long long)pos);
    printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("lseek bad whence: %s\n", LIBC_RESULT(lseek(fd, 0, 7) >= 0));
    printf("lseek negative: %s\n", LIBC_RESULT(lseek(fd, -100, SEEK_SET) >= 0));
    printf("ftruncate 5: %s\n", LIBC_RESULT(ftruncate(fd, 5) == 0));
    fstat(fd, &st);
    printf("size after truncate: %lld\n", (long long)st.st_size);
    printf("posix_fallocate: %d\n", posix_fallocate(fd, 0, 100));
    fstat(fd, &st);
    printf("size after allocate: %lld\n", (long long)st.st_size);
    printf("ftruncate 5 again: %s\n", LIBC_RESULT(ftruncate(fd, 5) == 0));
    printf("posix_fadvise: %d\n", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL));
    printf("posix_fadvise bad: %s\n", errname(__wasi_fd_advise(fd, 0, 0, 99)));
    printf("fsync: %s\n", LIBC_RESULT(fsync(fd) == 0));
    printf("fdatasync: %s\n", LIBC_RESULT(fdatasync(fd) == 0));
    struct timespec ts[2] = {{1000000000, 5}, {1234567890, 123456789}};
    printf("futimens: %s\n", LIBC_RESULT(futimens(fd, ts) == 0));
    fstat(fd, &st);
    printf("times: atime=%lld.%09ld mtime=%lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    printf("set_times ATIM|ATIM_NOW: %s\n",
           errname(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW)));
    struct timespec ts2[2] = {{0, UTIME_OMIT}, {1500000000, 0}};
    printf("utimensat: %s\n", LIBC_RESULT(utimensat(AT_FDCWD, "sandbox/new.txt", ts2, 0) == 0));
    stat("sandbox/new.txt", &st);
    printf("times: atime=%lld mtime=%lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
    close(fd);
    show_file("sandbox/new.txt");

    fd = open("sandbox/new.txt", O_WRONLY | O_APPEND);
    printf("open append: %s flags_append=%d\n", LIBC_RESULT(fd >= 0), (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    printf("write: %zd\n", write(fd, "tail", 4));
    printf("set nonblock: %s\n", LIBC_RESULT(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK) == 0));
    printf("nonblock now: %d\n", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    printf("read from write-only: %s\n", LIBC_RESULT(read(fd, buf, 1) >= 0));
    close(fd);
    show_file("sandbox/new.txt");

    printf("open missing: %s\n", LIBC_RESULT(open("sandbox/missing.txt", O_RDONLY) >= 0));
    printf("open excl existing: %s\n", LIBC_RESULT(open("sandbox/new.txt", O_CREAT | O_EXCL | O_WRONLY, 0644) >= 0));
    printf("mkdir: %s\n", LIBC_RESULT(mkdir("sandbox/d", 0755) == 0));
    printf("mkdir again: %s\n", LIBC_RESULT(mkdir("sandbox/d", 0755) == 0));
    printf("open dir for writing: %s\n", LIBC_RESULT(open("sandbox/d", O_WRONLY) >= 0));
    printf("open file as dir: %s\n", LIBC_RESULT(open("sandbox/new.txt", O_RDONLY | O_DIRECTORY) >= 0));
    printf("open creat+directory: %s\n", LIBC_RESULT(open("sandbox/cd", O_CREAT | O_DIRECTORY | O_RDONLY, 0755) >= 0));
    printf("open deep: %s\n", LIBC_RESULT(open("sandbox/d/../d/./x.txt", O_CREAT | O_WRONLY, 0644) >= 0));
    printf("stat deep: %s\n", LIBC_RESULT(stat("sandbox/d/x.txt", &st) == 0));

    /* Rights: drop FD_WRITE, then writing and regaining it are refused. */
    fd = open("sandbox/new.txt", O_RDWR);
    __wasi_fdstat_t fds;
    __wasi_fd_fdstat_get(fd, &fds);
    printf("filetype regular: %d\n", fds.fs_filetype == __WASI_FILETYPE_REGULAR_FILE);
    __wasi_rights_t base = fds.fs_rights_base;
    printf("drop FD_WRITE: %s\n",
           errname(__wasi_fd_fdstat_set_rights(fd, base & ~__WASI_RIGHTS_FD_WRITE, fds.fs_rights_inheriting)));
    printf("write without right: %s\n", LIBC_RESULT(write(fd, "z", 1) >= 0));
    printf("regain FD_WRITE: %s\n", errname(__wasi_fd_fdstat_set_rights(fd, base, fds.fs_rights_inheriting)));
    close(fd);

    /* fd_renumber moves a descriptor onto another (closing the target). */
    int a = open("sandbox/hello.txt", O_RDONLY);
    int b = open("sandbox/new.txt", O_RDONLY);
    printf("renumber: %s\n", errname(__wasi_fd_renumber(a, b)));
    memset(buf, 0, sizeof buf);
    printf("read renumbered: %zd [%.5s]\n", read(b, buf, 5), buf);
    printf("old fd after renumber: %s\n", LIBC_RESULT(read(a, buf, 1) >= 0));
    printf("renumber to closed fd: %s\n", errname(__wasi_fd_renumber(b, 200)));
    printf("close: %s\n", LIBC_RESULT(close(b) == 0));
    printf("close again: %s\n", LIBC_RESULT(close(b) == 0));
    printf("sched_yield: %s\n", errname(__wasi_sched_yield()));
    return 0;
}
