// Command openapi is the Lambda function of the portal route "openapi".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("openapi") }
