//! The Nix face of monstack: Nix module options generated from the spec's JSON Schema and the
//! bundle's layout generated from the names the renderers write (so neither can drift apart),
//! and the derivation builder entry point.

pub mod builder;
pub mod layout;
pub mod options;
