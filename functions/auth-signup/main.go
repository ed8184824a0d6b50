// Command auth-signup is the Lambda function of the portal route "auth-signup".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("auth-signup") }
