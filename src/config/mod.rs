//! The topology (a strict subset of private-chef.rb) and the paths of an install.

pub mod paths;

pub use paths::{Paths, ServiceManagerKind};
