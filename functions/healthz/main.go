// Command healthz is the Lambda function of the portal route "healthz".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("healthz") }
