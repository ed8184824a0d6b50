// Command auth-forgot-password is the Lambda function of the portal route "auth-forgot-password".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("auth-forgot-password") }
