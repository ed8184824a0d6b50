// Command auth-refresh is the Lambda function of the portal route "auth-refresh".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("auth-refresh") }
