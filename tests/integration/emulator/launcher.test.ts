import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateFileSystemCommand, DescribeFileSystemsCommand, EFSClient } from "@aws-sdk/client-efs";
import { afterEach, describe, expect, it } from "vitest";
import { emulatorIsHealthy } from "../../../src/emulator/control";
import { EmulatorPythonNotFoundError, findEmulatorPython } from "../../../src/emulator/find-python";
import { type Emulator, EmulatorStartError, startEmulator, warmUp } from "../../../src/emulator/launcher";
import { EMULATOR_CREDENTIALS } from "../../../src/emulator/warm-up";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

describe("emulator launcher", () => {
  const started: Emulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((e) => e.stop()));
  });

  it("starts on a free loopback port and stop() ends the process and frees the port", async () => {
    const lines: string[] = [];
    const emulator = await startEmulator({ log: (line) => lines.push(line) });
    started.push(emulator);

    expect(emulator.endpoint).toBe(`http://127.0.0.1:${emulator.port}`);
    expect(isAlive(emulator.pid)).toBe(true);
    expect(await emulatorIsHealthy(emulator.endpoint)).toBe(true);
    expect(await canListen(emulator.port)).toBe(false);
    expect(lines.some((l) => l.includes(emulator.endpoint))).toBe(true);

    await warmUp(emulator.endpoint);
    const efs = new EFSClient({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: EMULATOR_CREDENTIALS,
      maxAttempts: 1,
    });
    const out = await efs.send(new DescribeFileSystemsCommand({}));
    expect(out.FileSystems).toEqual([]);
    efs.destroy();

    await emulator.stop();
    expect(isAlive(emulator.pid)).toBe(false);
    expect(await canListen(emulator.port)).toBe(true);
    expect(await emulatorIsHealthy(emulator.endpoint)).toBe(false);
    await emulator.stop(); // a second stop is harmless
  });

  it("listens on the port it is given", async () => {
    const port = await freePort();
    const emulator = await startEmulator({ port });
    started.push(emulator);
    expect(emulator.port).toBe(port);
    expect(await emulatorIsHealthy(`http://127.0.0.1:${port}`)).toBe(true);
  });

  it("reports the server's stderr when it dies before it is ready", async () => {
    const first = await startEmulator();
    started.push(first);
    const error = await startEmulator({ port: first.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorStartError);
    expect((error as Error).message).toMatch(/exited before it was ready/);
    expect((error as Error).message).toMatch(/Address already in use/);
  });

  it("reset() wipes resources and configure() changes the knobs", async () => {
    const emulator = await startEmulator();
    started.push(emulator);
    await emulator.configure({ mountTargetCreatingDescribes: 3 });
    const config = await fetch(`${emulator.endpoint}/efs-reconciler/config`).then((r) => r.json());
    expect(config).toEqual({ mountTargetCreatingDescribes: 3 });

    const efs = new EFSClient({
      endpoint: emulator.endpoint,
      region: "us-east-1",
      credentials: EMULATOR_CREDENTIALS,
      maxAttempts: 1,
    });
    await efs.send(new CreateFileSystemCommand({ CreationToken: "reset-me" }));
    expect((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems).toHaveLength(1);

    await emulator.reset();
    expect((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems).toEqual([]);
    const after = await fetch(`${emulator.endpoint}/efs-reconciler/config`).then((r) => r.json());
    expect(after).toEqual({ mountTargetCreatingDescribes: 0 });
    efs.destroy();
  });

  it("says what to install when no Python has moto 5.2.1", async () => {
    const emptyRoot = mkdtempSync(join(tmpdir(), "efs-reconciler-no-venv-"));
    const error = await findEmulatorPython(emptyRoot, {
      PATH: join(emptyRoot, "no-bin"),
      EFS_RECONCILER_PYTHON: join(emptyRoot, "no-python"),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EmulatorPythonNotFoundError);
    const message = (error as Error).message;
    expect(message).toContain("npm run setup");
    expect(message).toContain("pip install -r emulator/requirements.txt");
    expect(message).toContain("EFS_RECONCILER_PYTHON");
    expect((error as EmulatorPythonNotFoundError).probes.map((p) => p.source)).toEqual([
      "EFS_RECONCILER_PYTHON",
      "project venv",
      "PATH",
    ]);
  });
});
