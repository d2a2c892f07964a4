//! The topology (private-chef.rb subset) and the paths of an install.
