use clap::Parser;

fn main() {
    let cli = match private_chef_ctl::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version print to stdout and exit 0; a usage error exits with the
            // command's code for bad arguments (2, or 3 for frontend-status)
            let code = if e.use_stderr() {
                private_chef_ctl::cli::usage_error_code(std::env::args_os().skip(1))
            } else {
                private_chef_ctl::cli::help_exit_code(std::env::args_os().skip(1))
            };
            let _ = e.print();
            std::process::exit(code);
        }
    };
    let code = match private_chef_ctl::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("private-chef-ctl: error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
