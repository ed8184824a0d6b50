// Command auth-login is the Lambda function of the portal route "auth-login".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-login") }
