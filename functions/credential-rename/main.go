// Command credential-rename is the Lambda function of the portal route "credential-rename".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("credential-rename") }
