// Command auth-forgot-password is the Lambda function of the portal route "auth-forgot-password".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("auth-forgot-password") }
