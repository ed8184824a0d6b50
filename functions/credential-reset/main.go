// Command credential-reset is the Lambda function of the portal route "credential-reset".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("credential-reset") }
