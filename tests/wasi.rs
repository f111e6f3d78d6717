//! WASI preview1 through iwasm: the C programs of tests/wasi/src, compiled
//! with `clang-14 --target=wasm32-wasi`, run by target/<profile>/iwasm (or
//! `EMBER_TEST_IWASM`, e.g. a qemu wrapper around a cross-built bundle).
//! Each case's stdout must equal tests/wasi/expected/<case>.stdout byte for
//! byte, and its exit status must be the one given here.
//!
//! Every case runs in its own scratch folder laid out by [`fixture`]:
//!
//! ```text
//! sandbox/            preopened (--dir=sandbox, sometimes also --map-dir=/mapped::sandbox)
//!   hello.txt, sub/inner.txt
//!   toroot -> /, up -> .., abs_link -> /etc/passwd, sub/up2 -> ../..
//! outside/secret.txt  never reachable
//! ro/data.txt         preopened read-only (--dir=ro:ro)
//! ```
//!
//! The hostile case also checks that nothing outside `sandbox/` changed.
//! `EMBER_WASI_BLESS=1` rewrites the expected files from the actual output
//! (review the diff before committing it).

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use ember_test_support::{iwasm, repo};

fn work_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("wasi")
}

/// Compile every program of tests/wasi/src once per test run.
fn wasm(program: &str) -> PathBuf {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = BUILT.get_or_init(|| {
        let src = repo().join("tests/wasi/src");
        let out = work_dir().join("wasm");
        std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
        let mut names: Vec<PathBuf> = std::fs::read_dir(&src)
            .map_err(|e| e.to_string())?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "c"))
            .collect();
        names.sort();
        for c in names {
            let stem = c.file_stem().unwrap().to_string_lossy().into_owned();
            let dst = out.join(format!("{stem}.wasm"));
            let res = Command::new("clang-14")
                .args(["--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-Wno-unused-result", "-o"])
                .arg(&dst)
                .arg(&c)
                .output()
                .map_err(|e| format!("cannot run clang-14 ({e}); run toolchains/setup-host.sh first"))?;
            if !res.status.success() {
                return Err(format!("clang-14 failed on {}:\n{}", c.display(), String::from_utf8_lossy(&res.stderr)));
            }
        }
        Ok(out)
    });
    match dir {
        Ok(d) => d.join(format!("{program}.wasm")),
        Err(e) => panic!("{e}"),
    }
}

/// A fresh scratch folder with the standard layout (see the module docs).
fn fixture(case: &str) -> PathBuf {
    use std::os::unix::fs::symlink;
    let d = work_dir().join("cases").join(case);
    let _ = std::fs::remove_dir_all(&d);
    for sub in ["sandbox/sub", "outside", "ro"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }
    std::fs::write(d.join("sandbox/hello.txt"), "hello sandbox\n").unwrap();
    std::fs::write(d.join("sandbox/sub/inner.txt"), "inner\n").unwrap();
    std::fs::write(d.join("outside/secret.txt"), "top secret\n").unwrap();
    std::fs::write(d.join("ro/data.txt"), "read only data\n").unwrap();
    symlink("/", d.join("sandbox/toroot")).unwrap();
    symlink("..", d.join("sandbox/up")).unwrap();
    symlink("/etc/passwd", d.join("sandbox/abs_link")).unwrap();
    symlink("../..", d.join("sandbox/sub/up2")).unwrap();
    d
}

/// A symlink at `dir/sandbox/<name>` pointing at `target`; `{host}` in the
/// target stands for the case folder's absolute path.
fn host_link(dir: &Path, name: &str, target: &str) {
    let host = std::fs::canonicalize(dir).unwrap();
    let target = target.replace("{host}", &host.display().to_string());
    std::os::unix::fs::symlink(target, dir.join("sandbox").join(name)).unwrap();
}

/// Links that lead out of the preopen (on top of the standard fixture's),
/// for the hostile case; `sandbox_evil/` is a sibling whose name starts
/// like the preopen's.
const ESCAPE_LINKS: [(&str, &str); 6] = [
    ("dir_out", "../outside"),
    ("abs_out", "{host}/outside/secret.txt"),
    ("abs_outdir", "{host}/outside"),
    ("abs_sibling", "{host}/sandbox_evil"),
    ("in_then_out", "sub/up2"),
    ("sub/abs_up", "{host}/sandbox/.."),
];

/// Links inside the preopen, for the symlinks case.
const INSIDE_LINKS: [(&str, &str); 9] = [
    ("models", "sub"),
    ("rel", "hello.txt"),
    ("chain", "rel"),
    ("abs_in", "{host}/sandbox/hello.txt"),
    ("abs_dir", "{host}/sandbox/sub"),
    ("dangling", "nothere"),
    ("loop1", "loop2"),
    ("loop2", "loop1"),
    ("sub/back", "../hello.txt"),
];

struct Output {
    status: i32,
    stdout: String,
    stderr: String,
}

fn command(dir: &Path, opts: &[&str], program: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(iwasm());
    cmd.current_dir(dir).args(opts).arg(wasm(program)).args(args);
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    if std::env::var_os("EMBER_TEST_IWASM").is_none() {
        // `cargo test --test wasi` rebuilds libvmcore.so only in <profile>/deps
        // (it is a plain dependency there); load that one, not a stale copy
        // that iwasm's $ORIGIN rpath would find next to it.
        cmd.env("LD_LIBRARY_PATH", iwasm().parent().unwrap().join("deps"));
    }
    cmd
}

fn output(out: std::process::Output) -> Output {
    Output {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn run(dir: &Path, opts: &[&str], program: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut cmd = command(dir, opts, program, args);
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot run {}: {e}", iwasm().display()));
    {
        let mut si = child.stdin.take().unwrap();
        si.write_all(stdin).unwrap();
    }
    output(child.wait_with_output().unwrap())
}

/// Compare with tests/wasi/expected/<case>.stdout (or bless it).
fn expect_stdout(case: &str, out: &Output) {
    let path = repo().join("tests/wasi/expected").join(format!("{case}.stdout"));
    if std::env::var_os("EMBER_WASI_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &out.stdout).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if want != out.stdout {
        let mut diff = String::new();
        let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), out.stdout.lines().collect());
        for i in 0..w.len().max(g.len()) {
            let (a, b) = (w.get(i).copied().unwrap_or("<none>"), g.get(i).copied().unwrap_or("<none>"));
            if a != b {
                diff.push_str(&format!("line {}:\n  want: {a}\n  got:  {b}\n", i + 1));
            }
        }
        panic!("{case}: stdout differs from {}\n{diff}stderr:\n{}", path.display(), out.stderr);
    }
}

fn case(name: &str, opts: &[&str], program: &str, args: &[&str], stdin: &[u8], status: i32) -> Output {
    let dir = fixture(name);
    let out = run(&dir, opts, program, args, stdin);
    expect_stdout(name, &out);
    assert_eq!(out.status, status, "{name}: exit status; stderr:\n{}", out.stderr);
    out
}

#[test]
fn stdio() {
    let out = case("stdio", &[], "stdio", &[], b"hello\nworld\n", 0);
    assert_eq!(out.stderr, "to stderr\n");
}

#[test]
fn args_env() {
    case(
        "args_env",
        &["--env=FOO=bar", "--env=EMPTY=", "--env=WITH_EQ=a=b"],
        "args_env",
        &["a", "b c", ""],
        b"",
        0,
    );
}

#[test]
fn files() {
    let out = case("files", &["--dir=sandbox", "--map-dir=/data::sandbox"], "files", &[], b"", 0);
    assert_eq!(out.stderr, "");
}

#[test]
fn readdir() {
    case("readdir", &["--dir=sandbox"], "readdir", &[], b"", 0);
}

#[test]
fn rename_unlink() {
    case("rename_unlink", &["--dir=sandbox"], "rename_unlink", &[], b"", 0);
}

#[test]
fn symlinks_inside_the_preopen_are_followed() {
    let dir = fixture("symlinks");
    for (name, target) in INSIDE_LINKS {
        host_link(&dir, name, target);
    }
    let out = run(&dir, &["--dir=sandbox"], "symlinks", &[], b"");
    expect_stdout("symlinks", &out);
    assert_eq!(out.status, 0, "stderr:\n{}", out.stderr);
    // What the guest made through links landed inside.
    assert!(dir.join("sandbox/made_by_link").is_file());
    assert_eq!(std::fs::read_link(dir.join("sandbox/e/dang")).unwrap(), Path::new("nowhere"));
}

#[test]
fn clocks() {
    case("clocks", &[], "clocks", &[], b"", 0);
}

#[test]
fn random() {
    case("random", &[], "random", &[], b"", 0);
}

#[test]
fn poll_with_clock_timeouts() {
    case("poll", &["--dir=sandbox"], "poll", &[], b"ping\n", 0);
}

#[test]
fn exit_codes() {
    for (name, args, status) in [
        ("exit_return_0", &["return", "0"][..], 0),
        ("exit_return_7", &["return", "7"][..], 7),
        ("exit_exit_42", &["exit", "42"][..], 42),
        ("exit_proc_exit_3", &["proc_exit", "3"][..], 3),
        ("exit_trap", &["trap"][..], 1),
        ("exit_raise_term", &["raise", "15"][..], 1),
        ("exit_raise_chld", &["raise", "16"][..], 0),
        ("exit_raise_bad", &["raise", "99"][..], 0),
    ] {
        let out = case(name, &[], "exit", args, b"", status);
        match name {
            "exit_trap" => assert!(out.stderr.contains("unreachable"), "{name}: {}", out.stderr),
            "exit_raise_term" => assert!(out.stderr.contains("SIGTERM"), "{name}: {}", out.stderr),
            _ => assert_eq!(out.stderr, "", "{name}"),
        }
    }
}

/// What a directory tree looks like: path -> (kind, size, mtime, content or link target).
fn snapshot(root: &Path, skip: &str) -> BTreeMap<PathBuf, String> {
    fn walk(root: &Path, dir: &Path, skip: &str, out: &mut BTreeMap<PathBuf, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for p in entries {
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if rel == Path::new(skip) {
                continue;
            }
            let md = std::fs::symlink_metadata(&p).unwrap();
            let desc = if md.file_type().is_symlink() {
                format!("link {}", std::fs::read_link(&p).unwrap().display())
            } else if md.is_dir() {
                format!("dir mtime={}.{}", md.mtime(), md.mtime_nsec())
            } else {
                format!(
                    "file size={} mtime={}.{} nlink={} {:?}",
                    md.len(),
                    md.mtime(),
                    md.mtime_nsec(),
                    md.nlink(),
                    std::fs::read(&p).unwrap()
                )
            };
            out.insert(rel, desc);
            if md.is_dir() && !md.file_type().is_symlink() {
                walk(root, &p, skip, out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, skip, &mut out);
    out
}

#[test]
fn hostile_paths_are_refused() {
    let name = "hostile";
    let dir = fixture(name);
    std::fs::create_dir_all(dir.join("sandbox_evil")).unwrap();
    std::fs::write(dir.join("sandbox_evil/secret.txt"), "evil twin\n").unwrap();
    for (link, target) in ESCAPE_LINKS {
        host_link(&dir, link, target);
    }
    for p in ["/tmp/ember_escape.txt", "/tmp/ember_escape_dir"] {
        let _ = std::fs::remove_file(p);
        let _ = std::fs::remove_dir(p);
    }
    let passwd = std::fs::metadata("/etc/passwd").map(|m| (m.len(), m.mtime(), m.mtime_nsec())).ok();
    let before = snapshot(&dir, "sandbox");
    let links = |d: &Path| {
        ["toroot", "up", "abs_link", "sub/up2"]
            .into_iter()
            .chain(ESCAPE_LINKS.map(|(l, _)| l))
            .map(|l| std::fs::read_link(d.join("sandbox").join(l)).map(|t| t.display().to_string()).ok())
            .collect::<Vec<_>>()
    };
    let links_before = links(&dir);

    let out = run(&dir, &["--dir=sandbox", "--map-dir=/mapped::sandbox", "--dir=ro:ro"], "hostile", &[], b"");
    expect_stdout(name, &out);
    assert_eq!(out.status, 0, "stderr:\n{}", out.stderr);

    // Nothing outside the preopen changed (the read-only preopen included)...
    assert_eq!(snapshot(&dir, "sandbox"), before, "something outside sandbox/ changed");
    // ... the host-made symlinks inside it are intact ...
    assert_eq!(links(&dir), links_before);
    // ... and nothing was created or changed through them.
    assert!(!Path::new("/tmp/ember_escape.txt").exists());
    assert!(!Path::new("/tmp/ember_escape_dir").exists());
    assert_eq!(std::fs::metadata("/etc/passwd").map(|m| (m.len(), m.mtime(), m.mtime_nsec())).ok(), passwd);
    // Not one refusal line may report success (a guard on the expected file itself).
    for line in out.stdout.lines() {
        let refused = ["../", "/etc", "toroot/", "up/", "up2/", "/mapped/", "_out", "abs_sibling", "abs_up"];
        if line.starts_with("S open [") && refused.iter().any(|r| line.contains(r)) {
            assert!(!line.ends_with("SUCCESS"), "escaped: {line}");
        }
    }
}

#[test]
fn bad_wasi_options_fail_cleanly() {
    let dir = fixture("bad_options");
    for (opts, needle) in [
        (&["--dir=does_not_exist"][..], "does_not_exist"),
        (&["--map-dir=/x::does_not_exist"][..], "does_not_exist"),
        (&["--map-dir=nocolons"][..], "--map-dir"),
        (&["--env=NOEQUALS"][..], "--env"),
        (&["--dir=sandbox/hello.txt"][..], "hello.txt"),
    ] {
        let out = run(&dir, opts, "stdio", &[], b"");
        assert_ne!(out.status, 0, "{opts:?} should fail");
        assert_eq!(out.stdout, "", "{opts:?} must not run the app");
        assert_eq!(out.stderr.lines().count(), 1, "{opts:?}: one-line error expected, got:\n{}", out.stderr);
        assert!(out.stderr.contains(needle), "{opts:?}: {}", out.stderr);
        assert!(!out.stderr.contains("panicked"), "{opts:?}: {}", out.stderr);
    }
}

#[test]
fn sockets_handed_over_as_stdin() {
    use std::io::Read;
    use std::os::fd::OwnedFd;
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::time::Duration;

    // fd 0 is a connected stream socket; the test is its peer.
    let dir = fixture("sock_stream");
    let (mut mine, theirs) = UnixStream::pair().unwrap();
    mine.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut cmd = command(&dir, &[], "sock", &["stream"]);
    cmd.stdin(Stdio::from(OwnedFd::from(theirs)));
    let child = cmd.spawn().unwrap();
    let mut got = [0u8; 7];
    mine.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"ping me");
    mine.write_all(b"pong!").unwrap();
    let mut rest = Vec::new();
    mine.read_to_end(&mut rest).unwrap(); // the guest's shutdown(WR)
    assert!(rest.is_empty());
    drop(mine);
    let out = output(child.wait_with_output().unwrap());
    expect_stdout("sock_stream", &out);
    assert_eq!(out.status, 0, "{}", out.stderr);

    // fd 0 is a listening socket; the test connects once the guest is ready.
    let dir = fixture("sock_listen");
    let path = dir.join("listen.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let mut cmd = command(&dir, &[], "sock", &["listen"]);
    cmd.stdin(Stdio::from(OwnedFd::from(listener)));
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"ready\n") {
        assert_eq!(stdout.read(&mut byte).unwrap(), 1, "guest ended early: {}", String::from_utf8_lossy(&seen));
        seen.push(byte[0]);
    }
    let mut conn = UnixStream::connect(&path).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    conn.write_all(b"hello from host").unwrap();
    conn.shutdown(std::net::Shutdown::Write).unwrap();
    let mut reply = Vec::new();
    conn.read_to_end(&mut reply).unwrap();
    assert_eq!(reply, b"ping");
    stdout.read_to_end(&mut seen).unwrap();
    let mut out = output(child.wait_with_output().unwrap());
    out.stdout = String::from_utf8_lossy(&seen).into_owned();
    expect_stdout("sock_listen", &out);
    assert_eq!(out.status, 0, "{}", out.stderr);
}
