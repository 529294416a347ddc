// Placeholder until the emulator launcher lands: replaced by the emulator's global setup.
export default function setup(): void {}
