/**
 * Every command of the CLI, in help order. A new command is one file in this directory
 * exporting a `CommandFactory`, added here.
 */
import type { CommandFactory } from "../command-context";
import { applyCommand } from "./apply";
import { eventsCommand } from "./events";
import { planCommand } from "./plan";
import { reportCommand } from "./report";
import { runWorkflowCommand } from "./run";
import { statusCommand } from "./status";
import { validateCommand } from "./validate";

export const COMMANDS: CommandFactory[] = [
  validateCommand,
  planCommand,
  applyCommand,
  runWorkflowCommand,
  eventsCommand,
  statusCommand,
  reportCommand,
];
