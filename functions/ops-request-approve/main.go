// Command ops-request-approve is the Lambda function of the portal route "ops-request-approve".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("ops-request-approve") }
