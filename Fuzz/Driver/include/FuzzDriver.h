#ifndef UNIDESK_FUZZ_DRIVER_H
#define UNIDESK_FUZZ_DRIVER_H
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer's driver (command-line flags, corpus, crash files) over `test_one_input`.
///
/// SwiftPM links every executable with `main` aliased to the module's own entry point, so
/// libFuzzer's `main` cannot be used: each fuzz target's main.swift calls this instead.
int unidesk_fuzz_run(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
