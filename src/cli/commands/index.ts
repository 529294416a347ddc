/**
 * Every command of the CLI, in help order. A new command is one file in this directory
 * exporting a `CommandFactory`, added here.
 */
import type { CommandFactory } from "../command-context";
import { applyCommand } from "./apply";
import { planCommand } from "./plan";
import { validateCommand } from "./validate";

export const COMMANDS: CommandFactory[] = [validateCommand, planCommand, applyCommand];
