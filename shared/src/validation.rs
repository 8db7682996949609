//! Validation results with Go's three kinds of issue: blocking errors, time checks
//! (expired / not yet valid) and warnings.

use std::fmt;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IssueKind {
    /// Blocks use of the JWT.
    Error,
    /// The JWT is not valid at the time it was checked.
    Time,
    /// Worth knowing, does not block.
    Warning,
}

impl fmt::Display for IssueKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IssueKind::Error => "error",
            IssueKind::Time => "time",
            IssueKind::Warning => "warning",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationIssue {
    pub kind: IssueKind,
    pub description: String,
}

/// The issues one `validate` call found, in the order Go reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ValidationResults {
    pub issues: Vec<ValidationIssue>,
}

impl ValidationResults {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add_error(&mut self, description: impl Into<String>) {
        self.push(IssueKind::Error, description.into());
    }

    pub fn add_time_check(&mut self, description: impl Into<String>) {
        self.push(IssueKind::Time, description.into());
    }

    pub fn add_warning(&mut self, description: impl Into<String>) {
        self.push(IssueKind::Warning, description.into());
    }

    fn push(&mut self, kind: IssueKind, description: String) {
        self.issues.push(ValidationIssue { kind, description });
    }

    pub fn is_empty(&self) -> bool {
        self.issues.is_empty()
    }

    /// True if any error blocks the JWT; with `include_time_checks`, failed time checks too.
    pub fn is_blocking(&self, include_time_checks: bool) -> bool {
        self.issues.iter().any(|i| {
            i.kind == IssueKind::Error || (include_time_checks && i.kind == IssueKind::Time)
        })
    }

    pub fn errors(&self) -> impl Iterator<Item = &ValidationIssue> {
        self.issues.iter().filter(|i| i.kind == IssueKind::Error)
    }

    pub fn count(&self, kind: IssueKind) -> usize {
        self.issues.iter().filter(|i| i.kind == kind).count()
    }

    /// Blocking issues (errors and time checks) joined with `"; "`, as a one-line reason.
    pub fn blocking_summary(&self) -> String {
        self.issues
            .iter()
            .filter(|i| i.kind != IssueKind::Warning)
            .map(|i| i.description.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    }
}
