//! The lab's pace: how much slower than the reference machine this machine runs the guests.
//!
//! Machines differ and are shared: the same guest may run 3× slower on another machine, or
//! beside other work. A lab wait tuned on one machine would fail by chance on the next.
//! So, once both back ends answer, `Lab::up` times a fixed piece of guest work (a shell
//! loop, in both back ends at once, as the tests load them) and compares it with the time
//! the reference machine takes. Every wait of the lab and of its tests, and the product's
//! timeouts in the lab's private-chef.rb, are multiplied by that factor. Never below 1: a
//! faster machine keeps the waits it was tuned with. What the tests assert about data,
//! states and exit codes never scales.
//!
//! `LAB_PACE=F` (1 to [`MAX`]) sets the factor instead of measuring it.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{guest, Lab, NodeId};

/// The fixed piece of work: a shell loop, timed by the guest's own clock (which TCG keeps
/// on the host's real time), printed in microseconds.
pub const WORK: &str = "s=$(date +%s%N); i=0; while [ $i -lt 5000 ]; do i=$((i+1)); done; \
                        e=$(date +%s%N); echo $(( (e - s) / 1000 ))";

/// What [`WORK`] takes on the reference machine (2 cores, nothing else running), in both
/// back ends at once just after they booted: the median of its samples, microseconds
/// (0.6 to 1.1 s there). With 4 CPU hogs beside the guests, which made the lab tests take
/// 1.9× as long, the samples gave factors of 1.4 to 3.6 against 1.1 s and 2.1 to 3.1 against
/// 0.9 s: a sample of 2 s at boot is noisy, which is why waits never shrink below 1.
pub const REFERENCE_US: f64 = 900_000.0;

/// The largest factor: beyond it the suite would not fit in CI's time anyway.
pub const MAX: f64 = 10.0;

/// The factor from measured samples (microseconds): their median over the reference,
/// clamped to 1..=[`MAX`].
pub fn factor(samples_us: &[f64]) -> Result<f64> {
    let mut s: Vec<f64> = samples_us
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    if s.is_empty() {
        bail!("no usable pace sample in {samples_us:?}");
    }
    s.sort_by(f64::total_cmp);
    let median = if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    };
    Ok((median / REFERENCE_US).clamp(1.0, MAX))
}

/// `LAB_PACE`, when set: a number from 1 to [`MAX`].
pub fn from_env() -> Result<Option<f64>> {
    match std::env::var("LAB_PACE") {
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(e) => bail!("LAB_PACE: {e}"),
        Ok(v) => parse(&v).map(Some),
    }
}

fn parse(v: &str) -> Result<f64> {
    let f: f64 = v
        .trim()
        .parse()
        .with_context(|| format!("LAB_PACE={v:?}: expected a number from 1 to {MAX}"))?;
    if !(1.0..=MAX).contains(&f) {
        bail!("LAB_PACE={v:?}: expected a number from 1 to {MAX}");
    }
    Ok(f)
}

/// One guest sample: the microseconds [`WORK`] printed.
pub fn parse_sample(stdout: &str) -> Result<f64> {
    stdout
        .trim()
        .parse::<f64>()
        .with_context(|| format!("pace sample: expected microseconds, got {stdout:?}"))
}

/// `d` times `factor`.
pub fn scale(d: Duration, factor: f64) -> Duration {
    d.mul_f64(factor.clamp(1.0, MAX))
}

/// `secs` times `factor`, rounded up to whole seconds (for settings that take seconds).
pub fn scale_secs(secs: u64, factor: f64) -> u64 {
    (secs as f64 * factor.clamp(1.0, MAX)).ceil() as u64
}

impl Lab {
    /// The pace factor: 1 on the reference machine, 3 where the guests run 3× slower.
    pub fn pace(&self) -> f64 {
        self.lock_state().pace
    }

    /// `d` times the pace factor: the wait that `d` is on the reference machine.
    pub fn scaled(&self, d: Duration) -> Duration {
        scale(d, self.pace())
    }

    /// `secs` times the pace factor, rounded up (for a command's `--timeout SECS`).
    pub fn scaled_secs(&self, secs: u64) -> u64 {
        scale_secs(secs, self.pace())
    }

    /// `secs` (a wait tuned on the reference machine) from now, times the pace factor.
    pub fn deadline(&self, secs: u64) -> Instant {
        Instant::now() + self.scaled(Duration::from_secs(secs))
    }

    /// Times [`WORK`] twice in both back ends at once; the factor of the samples.
    pub(crate) fn measure_pace(&self) -> Result<f64> {
        let mut samples = Vec::new();
        for _ in 0..2 {
            let round: Vec<Result<f64>> = std::thread::scope(|s| {
                let hs: Vec<_> = NodeId::BACKENDS
                    .map(|n| {
                        s.spawn(move || {
                            let o = self.exec_timeout(n, WORK, Duration::from_secs(120))?;
                            if !o.success() {
                                bail!("{n}: the pace work failed: {o:?}");
                            }
                            parse_sample(&o.stdout)
                        })
                    })
                    .into_iter()
                    .collect();
                hs.into_iter()
                    .map(|h| {
                        h.join()
                            .unwrap_or_else(|_| Err(anyhow::anyhow!("the pace probe panicked")))
                    })
                    .collect()
            });
            for r in round {
                samples.push(r?);
            }
        }
        factor(&samples)
    }

    /// Records the factor and gives the product its scaled timeouts: the lab's
    /// private-chef.rb (and `/etc/lab/pace`, read by fe1's `/_status` service) in the
    /// running back ends and in the files a node copies when it (re)boots.
    pub(crate) fn set_pace(&self, f: f64, frontend: bool) -> Result<()> {
        self.lock_state().pace = f;
        let rb = private_chef_rb_paced(frontend, f);
        let pace_file = format!("{f:.3}\n");
        let files = [
            ("etc/opscode/private-chef.rb", rb.as_str()),
            ("etc/lab/pace", pace_file.as_str()),
        ];
        for n in NodeId::ALL {
            let root = self.run.join("guest").join(n.name());
            if !root.is_dir() {
                continue;
            }
            for (rel, text) in files {
                crate::cache::write_file(&root.join(rel), 0o644, text.as_bytes())?;
            }
            if n.is_backend() && self.is_running(n) {
                // one command a node: each guest command costs a process start under TCG
                let script: Vec<String> = files
                    .iter()
                    .map(|(rel, text)| {
                        format!(
                            "mkdir -p \"$(dirname /{rel})\" && echo {} | base64 -d > /{rel}.tmp && mv /{rel}.tmp /{rel}",
                            crate::qemu::b64encode(text.as_bytes())
                        )
                    })
                    .collect();
                let o = self.exec_timeout(n, &script.join(" && "), Duration::from_secs(30))?;
                if !o.success() {
                    bail!("{n}: writing the paced settings failed: {o:?}");
                }
            }
        }
        Ok(())
    }
}

/// [`guest::private_chef_rb`] with the product's timeouts scaled by the pace factor `pace`.
pub fn private_chef_rb_paced(frontend: bool, pace: f64) -> String {
    let mut s = guest::private_chef_rb(frontend);
    s.push_str(&format!(
        "# the lab's pace factor is {pace:.2}: these are the defaults times it\n"
    ));
    for (key, secs) in guest::PACED_TIMEOUTS {
        s.push_str(&format!("{key} = {}\n", scale_secs(*secs, pace)));
    }
    s.push_str(&format!(
        "ha['ssh_control_persist'] = {}\n",
        scale_secs(guest::SSH_CONTROL_PERSIST_SECS, pace)
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factor_is_the_median_over_the_reference_never_below_one() {
        let r = REFERENCE_US;
        assert_eq!(factor(&[r * 3.0, r * 2.0, r * 100.0]).unwrap(), 3.0);
        assert_eq!(factor(&[r * 2.0, r * 3.0]).unwrap(), 2.5);
        assert_eq!(factor(&[r * 0.5]).unwrap(), 1.0);
        assert_eq!(factor(&[r * 50.0]).unwrap(), MAX);
        assert!(factor(&[]).is_err());
        assert!(factor(&[f64::NAN, -1.0]).is_err());
    }

    #[test]
    fn env_values_are_checked() {
        assert_eq!(parse("2.5").unwrap(), 2.5);
        for bad in ["0.5", "x", "", "11"] {
            let e = parse(bad).unwrap_err().to_string();
            assert!(e.contains("LAB_PACE") && e.contains("from 1 to"), "{e}");
        }
    }

    #[test]
    fn scaling() {
        assert_eq!(scale(Duration::from_secs(10), 2.5), Duration::from_secs(25));
        assert_eq!(scale(Duration::from_secs(10), 0.3), Duration::from_secs(10));
        assert_eq!(scale_secs(15, 1.01), 16);
        assert_eq!(scale_secs(15, 1.0), 15);
        assert_eq!(parse_sample("1234\n").unwrap(), 1234.0);
        assert!(parse_sample("bash: oops").is_err());
    }
}
