// Command auth-logout is the Lambda function of the portal route "auth-logout".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-logout") }
