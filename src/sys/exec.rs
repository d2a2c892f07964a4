//! Running external programs: always an argument vector (never a shell string built
//! from input), always a timeout, always a message that names the program.

use std::ffi::OsString;
use std::time::Duration;

/// Why a command could not run to its end. The kinds callers branch on are typed: a
/// missing program ([`Error::NotFound`]) and a timeout ([`Error::Timeout`]).
#[derive(Debug)]
pub enum Error {
    /// The program does not exist (not on PATH, or no such file).
    NotFound {
        /// The program as given.
        program: String,
    },
    /// It could not be started for another reason.
    Spawn {
        /// The command line.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Waiting for it failed.
    Wait {
        /// The command line.
        command: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// It did not finish within its timeout and was killed.
    Timeout {
        /// The command line.
        command: String,
        /// The timeout.
        after: Duration,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NotFound { program } => write!(
                f,
                "cannot run '{program}': program not found (is it installed and on PATH?)"
            ),
            Error::Spawn { command, source } => write!(f, "cannot run '{command}': {source}"),
            Error::Wait { command, source } => write!(f, "waiting for '{command}': {source}"),
            Error::Timeout { command, after } => write!(
                f,
                "'{command}' did not finish within {} s and was killed",
                after.as_secs_f64()
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Spawn { source, .. } | Error::Wait { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// True for [`Error::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }
}

/// The result of running a command.
pub type Result<T> = std::result::Result<T, Error>;

/// What a finished external command produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// Exit status; `None` when the process was killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// A finished command's stdout when it exited 0, else a message that names the command, its
/// exit (or the signal) and the first 400 characters of what it said.
pub fn stdout_of(cmd: &Command, r: Result<Output>) -> std::result::Result<String, String> {
    match r {
        Ok(o) if o.success() => Ok(o.stdout),
        Ok(o) => {
            let said = format!("{} {}", o.stderr.trim(), o.stdout.trim());
            let said: String = said.trim().chars().take(400).collect();
            Err(format!(
                "'{}' failed (exit {}): {said}",
                cmd.display(),
                o.code
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "signal".into()),
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// A command to run: program, arguments, environment additions, what its stdin reads
/// (nothing, by default) and a timeout.
#[derive(Debug, Clone)]
pub struct Command {
    pub program: OsString,
    pub args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
    pub stdin: Option<Vec<u8>>,
    /// Discard stdout instead of capturing it (a program whose output nobody reads, e.g.
    /// a notifier whose helpers may keep the pipe open).
    pub discard_stdout: bool,
    pub timeout: Duration,
}

impl Command {
    pub fn new(program: impl Into<OsString>) -> Self {
        Command {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            discard_stdout: false,
            timeout: Duration::from_secs(30),
        }
    }

    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, k: impl Into<OsString>, v: impl Into<OsString>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    /// Feeds `bytes` to the command's stdin (closed otherwise).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Discards stdout (see [`Command::discard_stdout`]).
    pub fn discard_stdout(mut self) -> Self {
        self.discard_stdout = true;
        self
    }

    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The command line as an operator would type it (for plans, logs and errors).
    pub fn display(&self) -> String {
        let mut s = self.program.to_string_lossy().into_owned();
        for a in &self.args {
            s.push(' ');
            let a = a.to_string_lossy();
            if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                s.push('\'');
                s.push_str(&a.replace('\'', "'\\''"));
                s.push('\'');
            } else {
                s.push_str(&a);
            }
        }
        s
    }

    /// Runs the command, capturing stdout and stderr, with stdin closed (or fed what
    /// [`Command::stdin`] gave). A non-zero exit is *not* an error (the caller decides); a
    /// missing program, a spawn failure or a timeout is, and the error names the command.
    pub fn run(&self) -> Result<Output> {
        let expr = duct::cmd(&self.program, &self.args);
        let expr = match &self.stdin {
            Some(b) => expr.stdin_bytes(b.clone()),
            None => expr.stdin_null(),
        };
        let expr = if self.discard_stdout {
            expr.stdout_null()
        } else {
            expr.stdout_capture()
        };
        let mut expr = expr.stderr_capture().unchecked().env("LC_ALL", "C");
        for (k, v) in &self.env {
            expr = expr.env(k, v);
        }
        let handle = expr.start().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::NotFound {
                    program: self.program.to_string_lossy().into_owned(),
                }
            } else {
                Error::Spawn {
                    command: self.display(),
                    source: e,
                }
            }
        })?;
        let out = handle.wait_timeout(self.timeout).map_err(|e| Error::Wait {
            command: self.display(),
            source: e,
        })?;
        match out {
            Some(o) => Ok(Output {
                code: o.status.code(),
                stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            }),
            None => {
                let _ = handle.kill();
                Err(Error::Timeout {
                    command: self.display(),
                    after: self.timeout,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_program_is_named() {
        let e = Command::new("definitely-not-a-program-xyz")
            .run()
            .unwrap_err();
        assert!(
            e.to_string().contains("definitely-not-a-program-xyz"),
            "{e}"
        );
        assert!(e.to_string().contains("not found"), "{e}");
        assert!(matches!(e, Error::NotFound { .. }));
    }

    #[test]
    fn stdout_can_be_discarded() {
        let o = Command::new("sh")
            .args(["-c", "echo out; echo err >&2"])
            .discard_stdout()
            .run()
            .unwrap();
        assert_eq!((o.stdout.as_str(), o.stderr.as_str()), ("", "err\n"));
    }

    #[test]
    fn stdin_is_fed() {
        let o = Command::new("cat").stdin("body\n").run().unwrap();
        assert_eq!(o.stdout, "body\n");
    }

    #[test]
    fn timeout_kills_and_says_so() {
        let e = Command::new("sleep")
            .arg("5")
            .timeout(Duration::from_millis(200))
            .run()
            .unwrap_err();
        assert!(e.is_timeout());
        assert!(e.to_string().contains("did not finish within 0.2 s"), "{e}");
    }

    #[test]
    fn captures_output_and_code() {
        let o = Command::new("sh")
            .args(["-c", "echo out; echo err >&2; exit 3"])
            .run()
            .unwrap();
        assert_eq!(o.code, Some(3));
        assert_eq!(o.stdout, "out\n");
        assert_eq!(o.stderr, "err\n");
    }

    #[test]
    fn display_quotes_spaces() {
        let c = Command::new("echo").args(["a b", "c"]);
        assert_eq!(c.display(), "echo 'a b' c");
    }
}
