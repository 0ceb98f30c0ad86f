/**
 * One line of usage per earshot-device subcommand: what `--help` prints and each subcommand's own
 * messages quote. Kept apart from the subcommands so `--help` loads none of them.
 */
export const ANALYZE_USAGE = 'earshot-device analyze FILE.wav [--full-scale-db 120] [--interval 1] [--channel 0] [--bands third-octave]';
export const PROVISION_USAGE = 'earshot-device provision --details FILE|- [--config earshot-device.json] [--state-dir state] [--capture alsa|wav:FILE] [--force]';
export const CALIBRATE_USAGE = 'earshot-device calibrate --config FILE [--seconds 6] [--wav FILE] [--reference 94.0] [--force] [--calibrator-make TEXT] [--calibrator-model TEXT] [--calibrator-serial TEXT]';
export const SELFTEST_USAGE = 'earshot-device selftest --config FILE [--seconds 3] [--button-seconds 30]';
export const RUN_USAGE = 'earshot-device run --config FILE';
