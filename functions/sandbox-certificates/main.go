// Command sandbox-certificates is the Lambda function of the portal route "sandbox-certificates".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("sandbox-certificates") }
