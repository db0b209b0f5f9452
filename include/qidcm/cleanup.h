#pragma once
// Removal of half-written outputs when a tool is interrupted. Safe to call
// from a signal handler: it only unlinks the staged files and removes the
// staging directories that are still pending.
namespace qidcm {
void removeStagedOutputs() noexcept;
}  // namespace qidcm
