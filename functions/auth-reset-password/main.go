// Command auth-reset-password is the Lambda function of the portal route "auth-reset-password".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-reset-password") }
