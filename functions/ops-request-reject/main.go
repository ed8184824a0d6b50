// Command ops-request-reject is the Lambda function of the portal route "ops-request-reject".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("ops-request-reject") }
