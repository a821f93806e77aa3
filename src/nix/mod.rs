//! The Nix face of monstack: Nix module options generated from the spec's JSON Schema (so the
//! two cannot drift apart), and the derivation builder entry point.

pub mod builder;
pub mod options;
