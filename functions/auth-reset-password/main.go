// Command auth-reset-password is the Lambda function of the portal route "auth-reset-password".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("auth-reset-password") }
