use clap::Parser;

fn main() {
    let cli = private_chef_ctl::cli::Cli::parse();
    let code = match private_chef_ctl::cli::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("private-chef-ctl: error: {e:#}");
            1
        }
    };
    std::process::exit(code);
}
