// Command auth-refresh is the Lambda function of the portal route "auth-refresh".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-refresh") }
