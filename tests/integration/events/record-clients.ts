/**
 * Clients of the record's services bound to this worker's emulator, and a reader of what an
 * EventBridge rule delivered to an SQS queue.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { EMULATOR_REGION } from "../../../src/emulator/warm-up";
import { createDynamoClient, createEventBridgeClient } from "../../../src/events/record-target";
import { emulatorEndpoint } from "../../support/emulator";

export function recordClients(): {
  dynamodb: DynamoDBClient;
  eventbridge: EventBridgeClient;
  sqs: SQSClient;
} {
  const common = { endpoint: emulatorEndpoint(), region: EMULATOR_REGION, maxAttempts: 1 };
  return {
    dynamodb: createDynamoClient(common),
    eventbridge: createEventBridgeClient(common),
    sqs: new SQSClient(common),
  };
}

export interface DeliveredEvent {
  source: string;
  "detail-type": string;
  detail: { eventId: string; type: string; runId: string };
}

/** A queue receiving every event of `source` on the bus, through a rule. */
export async function captureEvents(
  clients: { eventbridge: EventBridgeClient; sqs: SQSClient },
  source: string,
  eventBusName = "default",
): Promise<{ receiveAll: () => Promise<DeliveredEvent[]> }> {
  const queue = await clients.sqs.send(new CreateQueueCommand({ QueueName: `capture-${eventBusName}` }));
  const queueUrl = queue.QueueUrl as string;
  const attrs = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }),
  );
  const rule = `capture-${eventBusName}`;
  await clients.eventbridge.send(
    new PutRuleCommand({
      Name: rule,
      EventBusName: eventBusName,
      EventPattern: JSON.stringify({ source: [source] }),
    }),
  );
  await clients.eventbridge.send(
    new PutTargetsCommand({
      Rule: rule,
      EventBusName: eventBusName,
      Targets: [{ Id: "queue", Arn: attrs.Attributes?.QueueArn as string }],
    }),
  );
  return {
    /** Everything delivered so far (then removed from the queue). */
    async receiveAll() {
      const out: DeliveredEvent[] = [];
      for (;;) {
        const got = await clients.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        const messages = got.Messages ?? [];
        if (messages.length === 0) return out;
        for (const m of messages) out.push(JSON.parse(m.Body ?? "{}") as DeliveredEvent);
        await clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
      }
    },
  };
}
