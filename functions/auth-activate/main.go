// Command auth-activate is the Lambda function of the portal route "auth-activate".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("auth-activate") }
