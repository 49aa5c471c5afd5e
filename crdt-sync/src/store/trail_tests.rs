//! The audit trail across devices (issue 6).
