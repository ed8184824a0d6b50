// Command auth-login is the Lambda function of the portal route "auth-login".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("auth-login") }
