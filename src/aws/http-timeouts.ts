/**
 * How long every AWS call of the product waits for its connection to open, and on a silent socket,
 * before the attempt fails with a `TimeoutError`. The SDK's retry strategy and the S3 object client
 * retry that error like throttling; when every attempt times out, the call fails with it. Without
 * these limits a call to an endpoint that never answers (a function in a VPC without a route to
 * the service) would wait until the Lambda function's own timeout, and the CLI forever.
 */
export interface HttpTimeouts {
  /** Milliseconds for the TCP (and TLS) connection to open. */
  connectionTimeout: number;
  /** Milliseconds a socket may stay silent while a request or its answer is under way. */
  socketTimeout: number;
}

/** AWS answers API calls in well under a second; these only catch what never answers. */
export const HTTP_TIMEOUTS: HttpTimeouts = { connectionTimeout: 5_000, socketTimeout: 30_000 };
