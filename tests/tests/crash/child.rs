//! A `crash_writer` child process as the crash test drives it: started with
//! some arguments, its lines read as they come (each with the moment it was
//! read), then killed with SIGKILL or asked to stop.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a child may take to print what the parent waits for before the
/// test gives up (a hang, not a timing assertion).
pub const PATIENCE: Duration = Duration::from_secs(120);

/// SIGKILL's number on every Unix.
const SIGKILL: i32 = 9;

/// Kills the child if a trial panics half-way, so that no writer outlives
/// the test.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running `crash_writer`.
pub struct Running {
    child: Reaper,
    /// Kept open until [`Running::finish`]: the device child stops when its
    /// input ends.
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<(Instant, String)>,
    reader: Option<JoinHandle<()>>,
    stderr: PathBuf,
    /// Every line read so far.
    pub out: Output,
}

/// What a child printed.
pub struct Output {
    /// Its lines.
    pub lines: Vec<String>,
    /// When the parent read each of them.
    pub times: Vec<Instant>,
    /// When the parent killed the child, or saw it exit.
    pub killed_at: Instant,
}

impl Running {
    /// Starts `crash_writer ARGS…`, its stderr going to the file `stderr`.
    pub fn spawn<S: AsRef<OsStr>>(args: &[S], stderr: &Path) -> Running {
        let mut child = Command::new(env!("CARGO_BIN_EXE_crash_writer"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(File::create(stderr).expect("create the child's stderr file"))
            .spawn()
            .expect("start crash_writer");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send((Instant::now(), line)).is_err() {
                    break;
                }
            }
        });
        Running {
            child: Reaper(child),
            stdin,
            rx,
            reader: Some(reader),
            stderr: stderr.to_owned(),
            out: Output { lines: Vec::new(), times: Vec::new(), killed_at: Instant::now() },
        }
    }

    fn error(&self) -> String {
        format!(
            "crash_writer stopped before it was told to; last line {:?}; stderr: {}",
            self.out.lines.last(),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    fn push(&mut self, (at, line): (Instant, String)) {
        self.out.times.push(at);
        self.out.lines.push(line);
    }

    /// Reads lines until `done` holds for all read so far.
    pub fn wait_for(&mut self, done: impl Fn(&[String]) -> bool) {
        while !done(&self.out.lines) {
            match self.rx.recv_timeout(PATIENCE) {
                Ok(line) => self.push(line),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!(
                        "crash_writer printed nothing for {PATIENCE:?}; last line {:?}",
                        self.out.lines.last()
                    )
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{}", self.error()),
            }
        }
    }

    /// Reads the next line if it comes within `wait`; tells whether it did.
    pub fn read_within(&mut self, wait: Duration) -> bool {
        match self.rx.recv_timeout(wait) {
            Ok(line) => {
                self.push(line);
                true
            }
            Err(mpsc::RecvTimeoutError::Timeout) => false,
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{}", self.error()),
        }
    }

    /// Reads lines until the `n`-th one that starts with `prefix`.
    pub fn wait_for_nth(&mut self, prefix: &str, n: usize) {
        self.wait_for(|lines| lines.iter().filter(|l| l.starts_with(prefix)).count() >= n);
    }

    /// Kills the child with SIGKILL; its lines then include those still in
    /// the pipe at the kill.
    pub fn kill(mut self) -> Output {
        self.out.killed_at = Instant::now();
        self.child.0.kill().expect("send SIGKILL");
        let status = self.child.0.wait().expect("reap the child");
        assert_eq!(status.signal(), Some(SIGKILL), "{} (status {status})", self.error());
        self.drain()
    }

    /// Closes the child's input, which asks the device child to stop after
    /// its current round, and waits for it to exit successfully.
    pub fn finish(mut self) -> Output {
        drop(self.stdin.take());
        let status = self.child.0.wait().expect("wait for the child");
        self.out.killed_at = Instant::now();
        assert!(status.success(), "{} (status {status})", self.error());
        self.drain()
    }

    fn drain(mut self) -> Output {
        if let Some(reader) = self.reader.take() {
            reader.join().expect("the reader thread does not panic");
        }
        while let Ok(line) = self.rx.try_recv() {
            self.push(line);
        }
        let empty = Output { lines: Vec::new(), times: Vec::new(), killed_at: self.out.killed_at };
        std::mem::replace(&mut self.out, empty)
    }
}
